package demo

import "github.com/e-people/e-people/forum"

// The demo passwords. Every account of a kind shares one, so each is hashed once.
const (
	// AdminPassword signs in the administrator.
	AdminPassword = "demo-admin-2026!"
	// StaffPassword signs in the moderator and every official.
	StaffPassword = "demo-staff-2026!"
	// CitizenPassword signs in every citizen.
	CitizenPassword = "demo-citizen-2026!"
)

// emailDomain is a reserved example domain: demo mail never reaches anyone.
const emailDomain = "@e-people.example"

// ministries are central ministries of the Republic of Korea, in the order of
// the Government Organization Act, with their official English names and their
// names in Traditional Chinese characters.
var ministries = []forum.Ministry{
	{Slug: "moef", NameKO: "기획재정부", NameEN: "Ministry of Economy and Finance", NameZH: "企劃財政部"},
	{Slug: "moe", NameKO: "교육부", NameEN: "Ministry of Education", NameZH: "教育部"},
	{Slug: "msit", NameKO: "과학기술정보통신부", NameEN: "Ministry of Science and ICT", NameZH: "科學技術情報通信部"},
	{Slug: "mofa", NameKO: "외교부", NameEN: "Ministry of Foreign Affairs", NameZH: "外交部"},
	{Slug: "mou", NameKO: "통일부", NameEN: "Ministry of Unification", NameZH: "統一部"},
	{Slug: "moj", NameKO: "법무부", NameEN: "Ministry of Justice", NameZH: "法務部"},
	{Slug: "mnd", NameKO: "국방부", NameEN: "Ministry of National Defense", NameZH: "國防部"},
	{Slug: "mois", NameKO: "행정안전부", NameEN: "Ministry of the Interior and Safety", NameZH: "行政安全部"},
	{Slug: "mpva", NameKO: "국가보훈부", NameEN: "Ministry of Patriots and Veterans Affairs", NameZH: "國家報勳部"},
	{Slug: "mcst", NameKO: "문화체육관광부", NameEN: "Ministry of Culture, Sports and Tourism", NameZH: "文化體育觀光部"},
	{Slug: "mafra", NameKO: "농림축산식품부", NameEN: "Ministry of Agriculture, Food and Rural Affairs", NameZH: "農林畜產食品部"},
	{Slug: "motie", NameKO: "산업통상자원부", NameEN: "Ministry of Trade, Industry and Energy", NameZH: "產業通商資源部"},
	{Slug: "mohw", NameKO: "보건복지부", NameEN: "Ministry of Health and Welfare", NameZH: "保健福祉部"},
	{Slug: "me", NameKO: "환경부", NameEN: "Ministry of Environment", NameZH: "環境部"},
	{Slug: "moel", NameKO: "고용노동부", NameEN: "Ministry of Employment and Labor", NameZH: "雇用勞動部"},
	{Slug: "mogef", NameKO: "여성가족부", NameEN: "Ministry of Gender Equality and Family", NameZH: "女性家族部"},
	{Slug: "molit", NameKO: "국토교통부", NameEN: "Ministry of Land, Infrastructure and Transport", NameZH: "國土交通部"},
	{Slug: "mof", NameKO: "해양수산부", NameEN: "Ministry of Oceans and Fisheries", NameZH: "海洋水產部"},
}

// category is a policy area and the slug of the ministry it usually goes to.
type category struct {
	forum.Category
	ministry string
}

var categories = []category{
	{forum.Category{Slug: "welfare", NameKO: "복지", NameEN: "Welfare", NameZH: "福利"}, "mohw"},
	{forum.Category{Slug: "education", NameKO: "교육", NameEN: "Education", NameZH: "教育"}, "moe"},
	{forum.Category{Slug: "environment", NameKO: "환경", NameEN: "Environment", NameZH: "環境"}, "me"},
	{forum.Category{Slug: "transport", NameKO: "교통", NameEN: "Transport", NameZH: "交通"}, "molit"},
	{forum.Category{Slug: "safety", NameKO: "안전", NameEN: "Public safety", NameZH: "公共安全"}, "mois"},
	{forum.Category{Slug: "jobs", NameKO: "일자리", NameEN: "Jobs and labour", NameZH: "就業與勞動"}, "moel"},
	{forum.Category{Slug: "digital", NameKO: "디지털", NameEN: "Digital and science", NameZH: "數位與科學"}, "msit"},
	{forum.Category{Slug: "family", NameKO: "가족", NameEN: "Family", NameZH: "家庭"}, "mogef"},
	{forum.Category{Slug: "culture", NameKO: "문화", NameEN: "Culture", NameZH: "文化"}, "mcst"},
	{forum.Category{Slug: "economy", NameKO: "경제", NameEN: "Economy", NameZH: "經濟"}, "moef"},
}

// Staff names are plain personal names: the role badge, not the name, says who speaks for whom.
const (
	adminName     = "이도현"
	moderatorName = "류지혜"
)

// officialNames names the one official of each ministry, by ministry slug.
var officialNames = map[string]string{
	"moef": "김하늘", "moe": "이준호", "msit": "박서영", "mofa": "최동욱", "mou": "정다은", "moj": "강현우",
	"mnd": "조민지", "mois": "윤재석", "mpva": "장수연", "mcst": "임태현", "mafra": "한가람", "motie": "오지은",
	"mohw": "서민재", "me": "신예린", "moel": "권오성", "mogef": "황보경", "molit": "송재민", "mof": "전혜원",
}

// citizenNames are the citizens; citizen n (from 1) signs in as citizen<n>@e-people.example.
var citizenNames = []string{
	"김민준", "이서연", "박지훈", "최수빈", "정예은", "강도윤", "조하은", "윤서진", "장민서", "임지호",
	"한지우", "오승현", "서유나", "신동혁", "권나연", "황재원", "안채원", "송하린", "전우진", "홍지아",
	"고은비", "문태양", "양서윤", "배준서", "백승아",
	"Emily Carter", "Daniel Brooks", "Sarah Nguyen",
	"陳怡君", "林家豪", "王淑芬",
}

// Citizens referred to by the proposals and threads, numbered as in their e-mail addresses.
const (
	kimMinjun    = 1
	leeSeoyeon   = 2
	parkJihun    = 3
	jungYeeun    = 5
	yoonSeojin   = 8
	hanJiwoo     = 11
	shinDonghyuk = 14
	ahnChaewon   = 17
	hongJia      = 20
	moonTaeyang  = 22
	yangSeoyun   = 23
	emilyCarter  = 26
	danielBrooks = 27
	sarahNguyen  = 28
	chenYijun    = 29
	linJiahao    = 30
	wangShufen   = 31
)
