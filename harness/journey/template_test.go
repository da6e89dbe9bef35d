package journey

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testScope() (*Scope, *Values) {
	s := &Scope{Slots: map[string]int{"vu.id": 0, "vu.commune": 1, "case_id": 2, "data.name": 3},
		Later: map[string]string{"token": "step 3 (login)"}}
	v := &Values{Slots: []string{"001095000001", "00004", "HS 1/2", `Lê "Văn" A`}, Rand: NewRand(7)}
	return s, v
}

func TestTemplatesSubstituteAndEscapeByPlace(t *testing.T) {
	scope, v := testScope()
	for _, tc := range []struct {
		src  string
		esc  Escape
		want string
	}{
		{"/api/cases", URL, "/api/cases"},
		{"/ho-so/{{ case_id }}/tep", URL, "/ho-so/HS%201%2F2/tep"},
		{"/find?q={{case_id}}&u={{ vu.id }}", URL, "/find?q=HS+1%2F2&u=001095000001"},
		{"Bearer {{ vu.id }}", Raw, "Bearer 001095000001"},
		{"{{ data.name }}", JSON, `Lê \"Văn\" A`},
		{"{{ vu.commune }}-{{ vu.commune }}", Raw, "00004-00004"},
		{"khai tử", Query, "khai+t%E1%BB%AD"},
		{"a&{{ case_id }}", Query, "a%26HS+1%2F2"},
	} {
		tpl, err := Compile(tc.src, scope, tc.esc)
		require.NoError(t, err, tc.src)
		assert.Equal(t, tc.want, tpl.String(v), tc.src)
		assert.Equal(t, tc.src, tpl.Source())
	}
}

func TestTemplateFunctionsAreSeeded(t *testing.T) {
	scope, _ := testScope()
	tpl, err := Compile(`{{ uuid }} {{ int 5 9 }} {{ choice male female "not said" }} {{ vi_name }}`, scope, Raw)
	require.NoError(t, err)
	a := tpl.String(&Values{Rand: NewRand(42)})
	b := tpl.String(&Values{Rand: NewRand(42)})
	c := tpl.String(&Values{Rand: NewRand(43)})
	assert.Equal(t, a, b, "the same seed, the same values")
	assert.NotEqual(t, a, c, "another seed, other values")
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12} [5-9] (male|female|not said) \p{L}+ \p{L}+ \p{L}+$`), a)
}

func TestBadTemplatesSayWhy(t *testing.T) {
	scope, _ := testScope()
	for _, tc := range []struct{ src, msg string }{
		{"/x/{{ vu.nope }}", `unknown variable "vu.nope"`},
		{"/x/{{ case_id", "a {{ with no }}"},
		{"/x/ case_id }}", "a }} with no {{"},
		{"{{ }}", "an empty {{ }}"},
		{"{{ token }}", "token is used before it is captured (by step 3 (login))"},
		{"{{ int 9 1 }}", "MIN ≤ MAX"},
		{"{{ int 1 }}", "two whole numbers"},
		{"{{ choice }}", "one or more values"},
		{"{{ uuid 4 }}", "uuid takes no arguments"},
		{"{{ upper case_id }}", `unknown function "upper"`},
		{`{{ choice "a b }}`, "unterminated quote"},
	} {
		_, err := Compile(tc.src, scope, Raw)
		require.Error(t, err, tc.src)
		assert.Contains(t, err.Error(), tc.msg, tc.src)
	}
}

func TestJSONStringsAndJoin(t *testing.T) {
	scope, v := testScope()
	name, err := CompileJSONString("tên: {{ data.name }}\n", scope)
	require.NoError(t, err)
	body := Join(Static(`{"n":"`), name, Static(`"}`))
	assert.Equal(t, `{"n":"tên: Lê \"Văn\" A\n"}`, body.String(v))
	assert.True(t, Join(Static("a"), Static("b")).IsStatic())
}

func TestCapturesTakeTheirValueOrSayWhyNot(t *testing.T) {
	h := http.Header{}
	h.Add("Set-Cookie", "sessionid=s1; Path=/; HttpOnly")
	h.Add("Set-Cookie", "csrftoken=c2; Path=/")
	h.Set("Location", "/cases/77")
	a := &Answer{Status: 200, Header: h, Body: []byte(`{"data":{"items":[{"id":"a"},{"id":42}],"ok":true}}`)}
	xml := &Answer{Status: 200, Header: h, Body: []byte(`<phien><ma>tok-1</ma></phien>`)}
	for _, tc := range []struct {
		spec    CaptureSpec
		answer  *Answer
		want    string
		wantErr string
	}{
		{CaptureSpec{JSON: "data.items[1].id"}, a, "42", ""},
		{CaptureSpec{JSON: "$.data.items.0.id"}, a, "a", ""},
		{CaptureSpec{JSON: "data.items[-1].id"}, a, "42", ""},
		{CaptureSpec{JSON: "data.ok"}, a, "true", ""},
		{CaptureSpec{JSON: "data.items[*].id"}, a, "a", ""}, // without a source, the first
		{CaptureSpec{JSON: "data.none[*].id"}, a, "", "no data.none[*].id"},
		{CaptureSpec{JSON: "data.missing"}, a, "", "capture x: no data.missing in the answer"},
		{CaptureSpec{JSON: "data.id"}, xml, "", "capture x: the answer is not JSON"},
		{CaptureSpec{Header: "location"}, a, "/cases/77", ""},
		{CaptureSpec{Header: "X-Token"}, a, "", "no X-Token header"},
		{CaptureSpec{Cookie: "csrftoken"}, a, "c2", ""},
		{CaptureSpec{Cookie: "other"}, a, "", "sets no cookie other"},
		{CaptureSpec{Regex: "<ma>([^<]+)</ma>"}, xml, "tok-1", ""},
		{CaptureSpec{Regex: "tok-[0-9]"}, xml, "tok-1", ""},
		{CaptureSpec{Regex: "<id>(.*)</id>"}, xml, "", "does not match the answer"},
	} {
		c, err := CompileCapture("x", 0, tc.spec)
		require.NoError(t, err, "%+v", tc.spec)
		got, err := c.Extract(tc.answer, nil)
		if tc.wantErr != "" {
			require.Error(t, err, "%+v", tc.spec)
			assert.Contains(t, err.Error(), tc.wantErr)
			continue
		}
		require.NoError(t, err, "%+v", tc.spec)
		assert.Equal(t, tc.want, got, "%+v", tc.spec)
	}
	for _, bad := range []CaptureSpec{{}, {JSON: "a", Header: "b"}, {Regex: "("}, {Regex: "(a)(b)"}, {JSON: "a..b"}, {JSON: "a[x"}} {
		_, err := CompileCapture("x", 0, bad)
		assert.Error(t, err, "%+v", bad)
	}
}

func TestChecksFailWithTheFirstReason(t *testing.T) {
	scope, v := testScope()
	eq := func(src string) *Template { tpl, err := Compile(src, scope, Raw); require.NoError(t, err); return tpl }
	path := func(src string) Path { p, err := CompilePath(src); require.NoError(t, err); return p }
	a := &Answer{Status: 200, Body: []byte(`{"case":{"id":"HS 1/2","status":"open","n":3}}`)}
	for _, tc := range []struct {
		name   string
		checks *Checks
		want   string
	}{
		{"none", nil, ""},
		{"status held", &Checks{Status: []int{200, 201}}, ""},
		{"status", &Checks{Status: []int{201, 202}}, "status 200, want one of 201, 202"},
		{"contains", &Checks{Contains: []*Template{eq(`"open"`)}}, ""},
		{"contains a capture", &Checks{Contains: []*Template{eq(`{{ case_id }}`)}}, ""},
		{"does not contain", &Checks{Contains: []*Template{eq("closed")}}, `the body does not contain "closed"`},
		{"field equals", &Checks{Fields: []FieldCheck{{path("case.status"), eq("open")}, {path("case.n"), eq("3")}, {path("case.id"), eq("{{ case_id }}")}}}, ""},
		{"field differs", &Checks{Fields: []FieldCheck{{path("case.status"), eq("closed")}}}, `case.status is "open", want "closed"`},
		{"field missing", &Checks{Fields: []FieldCheck{{path("case.owner"), eq("x")}}}, `no case.owner in the answer, want "x"`},
	} {
		err := tc.checks.Verify(a, v)
		if tc.want == "" {
			assert.NoError(t, err, tc.name)
			continue
		}
		require.Error(t, err, tc.name)
		assert.Equal(t, tc.want, err.Error(), tc.name)
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{"/a/{{ vu.id }}", "{{ int 1 9 }}", `{{ choice "a b" c }}`, "{{", "}}", "{{ {{ }} }}", "x?{{case_id}}"} {
		f.Add(s)
	}
	scope, v := testScope()
	f.Fuzz(func(t *testing.T, src string) {
		for _, esc := range []Escape{Raw, URL, JSON} {
			tpl, err := Compile(src, scope, esc)
			if err != nil {
				continue
			}
			_ = tpl.String(v) // never panics
		}
		if p, err := CompilePath(src); err == nil {
			p.Lookup(map[string]any{"a": []any{1, "b"}}, NewRand(1))
		}
	})
}

// The escaping a URL template does by hand is the standard library's.
func TestURLEscapingIsTheStandardLibrarys(t *testing.T) {
	for _, s := range []string{"HS 1/2", "a+b=c&d", "Lê Văn", "x?y#z", "%41", "$:@;,", "~._-", ""} {
		assert.Equal(t, url.PathEscape(s), string(appendEscaped(nil, s, false)), s)
		assert.Equal(t, url.QueryEscape(s), string(appendEscaped(nil, s, true)), s)
	}
}
