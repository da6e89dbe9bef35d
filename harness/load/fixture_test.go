package load

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thongsuot/thongsuot/harness/metrics"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// fakePortal answers every journey step as the portal and identity provider would,
// with one JSON object carrying every field a step reads, and counts requests by path.
type fakePortal struct {
	*httptest.Server
	mu    sync.Mutex
	paths map[string]int // first three path segments → requests
}

func newFakePortal(t *testing.T) *fakePortal {
	t.Helper()
	f := &fakePortal{paths: map[string]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seg := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 4)
		f.mu.Lock()
		f.paths[r.Method+" /"+strings.Join(seg[:min(3, len(seg))], "/")]++
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost && r.URL.Path != "/oauth2/token" && !strings.HasPrefix(r.URL.Path, "/api/v1/officials/") {
			w.WriteHeader(http.StatusCreated)
		}
		w.Write([]byte(`{"access_token":"tok","id":"d1","fee_vnd":10000,"dossiers":[{"id":"d1"}],"procedures":[]}`))
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakePortal) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.paths[key]
}

func (f *fakePortal) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, v := range f.paths {
		n += v
	}
	return n
}

// testSetup is what journeys draw on, without a portal to prepare it.
func testSetup() *Setup {
	return &Setup{
		Users:          []User{{ID: "001095000001", Token: "t1", Dossier: "d1"}},
		Procedures:     []string{"P1", "P2"},
		FeeProcedures:  []string{"P1"},
		FreeProcedures: []string{"P2"},
		Citizens:       []string{"001095000001", "001095000002", "001095000003"},
	}
}

// lateSink hands every response to fn with whether it was sent more than after behind
// its due time, as the recorder judges it.
func lateSink(after time.Duration, fn func(class int, res *vegeta.Result, late bool)) Sink {
	return SinkFuncs{OnSent: func(class int, res *vegeta.Result, due time.Time) {
		fn(class, res, metrics.IsLate(res.Timestamp, due, after))
	}}
}
