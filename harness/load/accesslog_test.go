package load

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/scenarios"
)

func TestReadLogSamples(t *testing.T) {
	tests := []struct {
		file, format          string
		lines, malformed      int
		first                 LogRequest
		exampleLines          []string
		exampleReasonContains string
	}{
		{"../../scenarios/replay/access.log", "combined", 612, 5,
			LogRequest{Method: "GET", Path: "/api/v1/procedures?q=khai+sinh", Status: 200, Line: 1},
			[]string{"line 41:", "line 97:", "line 183:", "line 264:", "line 335:"}, "bad time"},
		{"../../scenarios/replay/access.log", "auto", 612, 5, LogRequest{Method: "GET", Path: "/api/v1/procedures?q=khai+sinh", Status: 200, Line: 1}, nil, ""},
		{"testdata/access.jsonl", "json", 123, 3, LogRequest{Line: 1}, []string{"line 31:", "line 71:", "line 101:"}, "no time field"},
		{"testdata/access.jsonl", "auto", 123, 3, LogRequest{Line: 1}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.format, func(t *testing.T) {
			f, err := os.Open(tt.file)
			require.NoError(t, err)
			defer f.Close()
			reqs, stats, err := ReadLog(f, tt.format)
			require.NoError(t, err)
			assert.Equal(t, tt.lines, stats.Lines)
			assert.Equal(t, tt.malformed, stats.Malformed)
			assert.Equal(t, tt.lines-tt.malformed, stats.Parsed)
			require.Len(t, reqs, stats.Parsed)
			if tt.first.Method != "" {
				assert.Equal(t, tt.first, LogRequest{Method: reqs[0].Method, Path: reqs[0].Path, Status: reqs[0].Status, Line: reqs[0].Line})
				assert.True(t, reqs[0].At.Equal(time.Date(2025, 7, 1, 8, 0, 0, 0, ict)), "%s", reqs[0].At)
			}
			for i, prefix := range tt.exampleLines {
				assert.True(t, strings.HasPrefix(stats.Examples[i], prefix), "%q", stats.Examples[i])
			}
			if tt.exampleReasonContains != "" {
				assert.Contains(t, strings.Join(stats.Examples, "\n"), tt.exampleReasonContains)
			}
		})
	}
}

func TestReadLogLines(t *testing.T) {
	at := time.Date(2025, 7, 1, 8, 0, 0, 0, ict)
	tests := []struct {
		name, line string
		want       *LogRequest // nil: malformed
	}{
		{"combined", `1.2.3.4 - - [01/Jul/2025:08:00:00 +0700] "GET /a?b=c HTTP/1.1" 200 12 "-" "ua"`, &LogRequest{At: at, Method: "GET", Path: "/a?b=c", Status: 200}},
		{"common (no referer, agent)", `1.2.3.4 - bob [01/Jul/2025:08:00:00 +0700] "POST /x HTTP/1.0" 201 -`, &LogRequest{At: at, Method: "POST", Path: "/x", Status: 201}},
		{"absolute-form target", `1.2.3.4 - - [01/Jul/2025:08:00:00 +0700] "GET http://portal/api/v1/units HTTP/1.1" 200 1`, &LogRequest{At: at, Method: "GET", Path: "/api/v1/units", Status: 200}},
		{"json with request", `{"time":"2025-07-01T08:00:00+07:00","request":"DELETE /d HTTP/1.1","status":"204"}`, &LogRequest{At: at, Method: "DELETE", Path: "/d", Status: 204}},
		{"json with fields, epoch time", `{"ts":1751331600,"method":"GET","uri":"/u"}`, &LogRequest{At: at, Method: "GET", Path: "/u"}},
		{"json combined time", `{"time_local":"01/Jul/2025:08:00:00 +0700","path":"/p"}`, &LogRequest{At: at, Method: "GET", Path: "/p"}},
		{"TLS bytes on a plain port", `1.2.3.4 - - [01/Jul/2025:08:00:00 +0700] "\x16\x03\x01" 400 157 "-" "-"`, nil},
		{"no path", `1.2.3.4 - - [01/Jul/2025:08:00:00 +0700] "GET" 400 1`, nil},
		{"bad month", `1.2.3.4 - - [01/Jly/2025:08:00:00 +0700] "GET / HTTP/1.1" 200 1`, nil},
		{"json array", `[1,2]`, nil},
		{"json bad path", `{"time":"2025-07-01T08:00:00Z","path":"api"}`, nil},
		{"json lower-case method", `{"time":"2025-07-01T08:00:00Z","method":"get","path":"/"}`, nil},
		{"json NaN time", `{"ts":"NaN","path":"/"}`, nil},
		{"json infinite time", `{"ts":"+Inf","path":"/"}`, nil},
		{"json time past int64", `{"ts":1e300,"path":"/"}`, nil},
		{"json time before 1970", `{"ts":-1,"path":"/"}`, nil},
		{"combined in the year 9999", `1.2.3.4 - - [01/Jul/9999:08:00:00 +0700] "GET / HTTP/1.1" 200 1`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs, stats, err := ReadLog(strings.NewReader(tt.line+"\n\n"), "auto")
			require.NoError(t, err)
			assert.Equal(t, 1, stats.Lines, "blank lines are not counted")
			if tt.want == nil {
				assert.Equal(t, 1, stats.Malformed)
				assert.Empty(t, reqs)
				return
			}
			require.Len(t, reqs, 1, "%v", stats.Examples)
			tt.want.Line = 1
			assert.True(t, tt.want.At.Equal(reqs[0].At))
			reqs[0].At = tt.want.At
			assert.Equal(t, *tt.want, reqs[0])
		})
	}
}

func FuzzReadLog(f *testing.F) {
	sample, _ := os.ReadFile("../../scenarios/replay/access.log")
	f.Add(string(sample[:2000]))
	f.Add(`{"time":"2025-07-01T08:00:00+07:00","request":"GET / HTTP/1.1"}`)
	f.Fuzz(func(t *testing.T, data string) {
		reqs, stats, err := ReadLog(strings.NewReader(data), "auto")
		if err != nil {
			return
		}
		require.Equal(t, stats.Lines, stats.Parsed+stats.Malformed)
		require.Len(t, reqs, stats.Parsed)
		for _, r := range reqs {
			require.True(t, strings.HasPrefix(r.Path, "/"), r.Path)
			require.NotEmpty(t, r.Method)
			require.False(t, r.At.Before(scenarios.MinTime) || !r.At.Before(scenarios.MaxTime), "a time a scenario can hold: %s", r.At)
		}
	})
}
