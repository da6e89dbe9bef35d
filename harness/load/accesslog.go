package load

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/thongsuot/thongsuot/scenarios"
)

// LogRequest is one request read from an access log.
type LogRequest struct {
	At     time.Time
	Method string
	Path   string // path and query, as logged
	Status int    // as logged; 0 if the log does not say
	Line   int    // 1-based line number in the log
}

// LogStats say how reading a log went. Malformed lines are counted, never fatal here:
// the caller decides against its threshold.
type LogStats struct {
	Lines     int      // non-blank lines
	Parsed    int      // lines read into requests
	Malformed int      // lines that could not be read
	Examples  []string // the first few malformed lines, "line N: why"
}

// MalformedShare is the fraction of non-blank lines that could not be read.
func (s LogStats) MalformedShare() float64 {
	if s.Lines == 0 {
		return 0
	}
	return float64(s.Malformed) / float64(s.Lines)
}

const maxMalformedExamples = 5

// combinedRe reads the NCSA common and combined formats (Apache's and nginx's
// defaults): host ident user [time] "request" status bytes ["referer" "agent" ...].
var combinedRe = regexp.MustCompile(`^\S+ \S+ .*?\[([^\]]+)\] "([A-Z]+) (\S+)(?: [^"]*)?" (\d{3}) (?:\d+|-)(?: |$)`)

const combinedTime = "02/Jan/2006:15:04:05 -0700"

// ReadLog reads an access log: format "combined" (nginx/Apache common or combined),
// "json" (one object a line, as nginx's escape=json log formats and most log shippers
// write) or "auto" (each line by its first character).
func ReadLog(r io.Reader, format string) ([]LogRequest, LogStats, error) {
	var (
		reqs  []LogRequest
		stats LogStats
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		stats.Lines++
		var (
			req LogRequest
			err error
		)
		switch {
		case format == "json" || (format == "auto" && strings.HasPrefix(line, "{")):
			req, err = parseJSONLine(line)
		default:
			req, err = parseCombinedLine(line)
		}
		if err != nil {
			stats.Malformed++
			if len(stats.Examples) < maxMalformedExamples {
				stats.Examples = append(stats.Examples, fmt.Sprintf("line %d: %v", n, err))
			}
			continue
		}
		req.Line = n
		stats.Parsed++
		reqs = append(reqs, req)
	}
	if err := sc.Err(); err != nil {
		return reqs, stats, fmt.Errorf("reading the log: %w", err)
	}
	return reqs, stats, nil
}

func parseCombinedLine(line string) (LogRequest, error) {
	m := combinedRe.FindStringSubmatch(line)
	if m == nil {
		return LogRequest{}, fmt.Errorf(`not a combined-format line (want: host - user [time] "METHOD /path HTTP/1.1" status bytes ...)`)
	}
	at, err := time.Parse(combinedTime, m[1])
	if err != nil {
		return LogRequest{}, fmt.Errorf("bad time %q: want 01/Jul/2025:08:00:00 +0700", m[1])
	}
	status, _ := strconv.Atoi(m[4])
	return checkRequest(LogRequest{At: at, Method: m[2], Path: m[3], Status: status})
}

// JSON log lines name their fields in several ways; these are the common ones.
var (
	jsonTimeKeys   = []string{"time", "timestamp", "@timestamp", "ts", "time_iso8601", "time_local"}
	jsonMethodKeys = []string{"method", "request_method", "verb"}
	jsonPathKeys   = []string{"path", "uri", "request_uri", "url"}
	jsonStatusKeys = []string{"status", "status_code", "code"}
)

func parseJSONLine(line string) (LogRequest, error) {
	var obj map[string]any
	if err := json.Unmarshal([]byte(line), &obj); err != nil {
		return LogRequest{}, fmt.Errorf("not a JSON object: %v", err)
	}
	var req LogRequest
	v, key := first(obj, jsonTimeKeys)
	if v == nil {
		return req, fmt.Errorf("no time field (one of %s)", strings.Join(jsonTimeKeys, ", "))
	}
	at, err := jsonTime(v)
	if err != nil {
		return req, fmt.Errorf("%s: %v", key, err)
	}
	req.At = at
	if s, ok := obj["request"].(string); ok { // nginx's $request: "GET /path HTTP/1.1"
		if f := strings.Fields(s); len(f) >= 2 {
			req.Method, req.Path = f[0], f[1]
		}
	}
	if v, _ := first(obj, jsonMethodKeys); v != nil {
		req.Method, _ = v.(string)
	}
	if v, _ := first(obj, jsonPathKeys); v != nil {
		req.Path, _ = v.(string)
	}
	if v, _ := first(obj, jsonStatusKeys); v != nil {
		switch s := v.(type) {
		case float64:
			req.Status = int(s)
		case string:
			req.Status, _ = strconv.Atoi(s)
		}
	}
	if req.Method == "" {
		req.Method = "GET"
	}
	return checkRequest(req)
}

func first(obj map[string]any, keys []string) (any, string) {
	for _, k := range keys {
		if v, ok := obj[k]; ok && v != nil {
			return v, k
		}
	}
	return nil, ""
}

// jsonTime reads RFC 3339 text, the combined format's time, or Unix seconds.
func jsonTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case float64:
		// NaN, infinities and seconds beyond int64 convert to nonsense: only a time a
		// scenario may hold is read (checkRequest holds it to the span).
		if !(t >= float64(scenarios.MinTime.Unix()) && t < float64(scenarios.MaxTime.Unix())) {
			return time.Time{}, fmt.Errorf("bad time %v: want Unix seconds %s", t, timeSpan())
		}
		sec, frac := int64(t), t-float64(int64(t))
		return time.Unix(sec, int64(frac*1e9)), nil
	case string:
		for _, layout := range []string{time.RFC3339Nano, combinedTime} {
			if at, err := time.Parse(layout, t); err == nil {
				return at, nil
			}
		}
		if sec, err := strconv.ParseFloat(t, 64); err == nil {
			return jsonTime(sec)
		}
		return time.Time{}, fmt.Errorf("bad time %q: want RFC 3339, 01/Jul/2025:08:00:00 +0700 or Unix seconds", t)
	}
	return time.Time{}, fmt.Errorf("bad time %v", v)
}

var methodRe = regexp.MustCompile(`^[A-Z]{3,7}$`)

// timeSpan is the span a logged time must fall in, for messages.
func timeSpan() string {
	return fmt.Sprintf("between %s and %s", scenarios.MinTime.Format(time.DateOnly), scenarios.MaxTime.Format(time.DateOnly))
}

func checkRequest(req LogRequest) (LogRequest, error) {
	if req.At.Before(scenarios.MinTime) || !req.At.Before(scenarios.MaxTime) {
		return req, fmt.Errorf("bad time %s: want a time %s", req.At.Format(time.RFC3339), timeSpan())
	}
	if !methodRe.MatchString(req.Method) {
		return req, fmt.Errorf("bad method %q", req.Method)
	}
	if u, ok := strings.CutPrefix(req.Path, "http://"); ok { // absolute-form request target
		req.Path = u[strings.IndexByte(u+"/", '/'):]
	} else if u, ok := strings.CutPrefix(req.Path, "https://"); ok {
		req.Path = u[strings.IndexByte(u+"/", '/'):]
	}
	if !strings.HasPrefix(req.Path, "/") {
		return req, fmt.Errorf("bad path %q: want /...", req.Path)
	}
	return req, nil
}
