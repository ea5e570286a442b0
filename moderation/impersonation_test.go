package moderation

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImpersonatesStaff_Corpus refuses every line of the shared impersonation
// corpus: each value is a look-alike spelling of a privileged name (its
// target), so every value and every target must be refused.
func TestImpersonatesStaff_Corpus(t *testing.T) {
	path := filepath.Join(corporaDir(t), "impersonation", "impersonation_names.jsonl")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open impersonation corpus: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	lines := 0
	for sc.Scan() {
		lines++
		var rec struct {
			Target     string   `json:"target"`
			Technique  string   `json:"technique"`
			Value      string   `json:"value"`
			Codepoints []string `json:"codepoints"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %d: decode: %v", lines, err)
		}
		if rec.Value == "" || rec.Target == "" {
			t.Fatalf("line %d: missing value or target: %s", lines, sc.Text())
		}
		// The codepoints field proves the invisible characters survived decoding.
		if cps := codepoints(rec.Value); rec.Codepoints != nil && strings.Join(cps, " ") != strings.Join(rec.Codepoints, " ") {
			t.Errorf("line %d: value decodes to %v, corpus says %v", lines, cps, rec.Codepoints)
		}
		if !ImpersonatesStaff(rec.Value) {
			t.Errorf("line %d: ImpersonatesStaff(%s) = false, want true (%s of %q)", lines, strconv.QuoteToASCII(rec.Value), rec.Technique, rec.Target)
		}
		if !ImpersonatesStaff(rec.Target) {
			t.Errorf("line %d: ImpersonatesStaff(%q) = false, want true (target)", lines, rec.Target)
		}
		if !ImpersonatesStaff(PlainText(rec.Value)) && !strings.Contains(rec.Technique, "rtl") {
			t.Errorf("line %d: ImpersonatesStaff(PlainText(%s)) = false, want true", lines, strconv.QuoteToASCII(rec.Value))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read impersonation corpus: %v", err)
	}
	if lines == 0 {
		t.Fatalf("impersonation corpus %s is empty", path)
	}
}

func codepoints(s string) []string {
	var cps []string
	for _, r := range s {
		cps = append(cps, fmt.Sprintf("U+%04X", r))
	}
	return cps
}

func TestImpersonatesStaff(t *testing.T) {
	refused := []string{
		// English, spelt every way.
		"admin", "Administrator", "Site Admin", "siteadmin", "a.d.m.i.n", "4dm1n", "@dmin", "ADMlN",
		"Moderator", "m0derator", "rnoderator", "Mod", "mod team", "modteam", "The Mods", "SiteMod", "xX_mod_Xx", "m-o-d",
		"Official", "Official Response", "unofficial", "offic1al", "0ff1c1a1",
		"Ministry of Health", "ministry_official", "Minister Kim", "Government", "G0vernment", "UK Gov", "govt",
		"staff", "Staff Member", "$taff", "TheStaff", "sysop", "root", "r00t", "Webmaster",
		"e-people", "ePeople", "e people", "E.People Team", "epeople", "e-people 운영",
		"ａｄｍｉｎ", "𝐚𝐝𝐦𝐢𝐧", "ⓐⓓⓜⓘⓝ", "ᴀᴅᴍɪɴ", "аdmіn", "ΑDΜΙΝ", "mоd", "\u202enimda", "ad\u200bmin", "a\u0301dmin",
		// Korean.
		"관리자", "관 리 자", "운영자", "운영진", "운영팀", "모더레이터", "어드민", "공식", "공식계정", "비공식",
		"정부", "대한민국정부", "정부24", "정부 기관", "부처", "장관", "장관님", "장관실", "차관", "공무원", "김공무원",
		"보건복지부", "교육부", "환경부", "국토교통부", "행정안전부", "보건복지부 대변인", "법제처", "국세청", "질병관리청",
		"청와대", "국민신문고", "김mod",
		// A given name that is a term reads like "X government"; refused by design.
		"최정부", "문재인정부",
		// Chinese.
		"管理員", "管理员", "版主", "官方", "政府", "部長", "部长", "教育部", "衛生福利部", "行政院",
	}
	allowed := []string{
		"김민수", "이서연", "박지민", "Jane Doe", "王小明", "Admiral Yi fan", "Edmund", "Simon",
		"Adam Smith", "Modesta", "Dominic", "Stafford", "Rootsy", "badminton lover",
		"We the People", "people first", "feminist", "moderate voter", "Gowon", "Edmond", "Desmond",
		"정부영", "장관우", "공식현", "차관호", "부처님오신날", "정책 토론러", "교육 정책", "환경 지킴이",
		"시민 김철수", "Lily Park", "Milo", "Ilona", "Ramona", "Cosmo", "Amin", "Jasmine", "Emma",
		"", "   ", "\u200b",
	}
	for _, name := range refused {
		if !ImpersonatesStaff(name) {
			t.Errorf("ImpersonatesStaff(%s) = false, want true", strconv.QuoteToASCII(name))
		}
	}
	for _, name := range allowed {
		if ImpersonatesStaff(name) {
			t.Errorf("ImpersonatesStaff(%s) = true, want false", strconv.QuoteToASCII(name))
		}
	}
}
