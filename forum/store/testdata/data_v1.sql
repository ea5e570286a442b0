-- Rows in the shape schema_v1.sql gives them: a ministry, three users, an
-- open proposal with a support, and a thread of a comment with a vote, a
-- reply and a deleted reply, with every counter agreeing with its rows.
-- Frozen like schema_v1.sql: the upgrade test loads it into a version 1
-- database and checks that every row survives the upgrades.
INSERT INTO settings (key, value) VALUES ('sponsor_threshold', '2');
INSERT INTO ministries (id, slug, name_ko, name_en, name_zh, description)
    VALUES (1, 'mohw', '보건복지부', 'Ministry of Health and Welfare', '保健福祉部', '');
INSERT INTO categories (id, slug, name_ko, name_en, name_zh, ministry_id)
    VALUES (1, 'welfare', '복지', 'Welfare', '福利', 1);
INSERT INTO users (id, role, ministry_id, name, email, password_hash, created_at) VALUES
    (1, 'citizen', NULL, '홍길동', 'hong@example.kr', 'hash', 1764230400),
    (2, 'citizen', NULL, '김철수', 'kim@example.kr', 'hash', 1764230400),
    (3, 'moderator', NULL, '운영자', 'mod@example.kr', 'hash', 1764230400);
INSERT INTO proposals (id, author_id, title, body_src, body_html, category_id, ministry_id, status, sponsor_token,
        support_count, comment_count, created_at, updated_at, published_at, support_deadline)
    VALUES (1, 1, '국민연금 개혁', '본문', '<p>본문</p>', 1, 1, 'open', 'token-1',
        1, 2, 1764230400, 1764230400, 1764230400, 1766822400);
INSERT INTO proposal_revisions (proposal_id, number, title, body_src, body_html, created_at)
    VALUES (1, 1, '국민연금 개혁', '본문', '<p>본문</p>', 1764230400);
INSERT INTO supports (proposal_id, user_id, created_at) VALUES (1, 2, 1764230500);
INSERT INTO comments (id, proposal_id, parent_id, depth, author_id, stance, body_src, body_html,
        up_count, status, created_at, updated_at) VALUES
    (1, 1, NULL, 1, 2, 'for', '찬성합니다', '<p>찬성합니다</p>', 1, 'visible', 1764230600, 1764230600),
    (2, 1, 1, 2, 1, 'against', '반대합니다', '<p>반대합니다</p>', 0, 'visible', 1764230700, 1764230700),
    (3, 1, 1, 2, 2, 'neutral', '', '', 0, 'deleted', 1764230800, 1764230900);
INSERT INTO comment_votes (comment_id, user_id, value, created_at) VALUES (1, 3, 1, 1764231000);
INSERT INTO events (topic, type, payload, public, created_at)
    VALUES ('proposal:1', 'comment_created', '{"comment_id":1,"proposal_id":1}', 1, 1764230600);
INSERT INTO search_index (rowid, kind, item_id, tokens, status, ministry_id, category_id, created_at)
    VALUES (5, 'comment', 1, '찬성 성합 합니 니다', 'open', 1, 1, 1764230600);
