package portal

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawRequest sends a request's headers and the first sent bytes of its body
// (announced as length bytes) over its own connection and waits at most wait for
// the answer: its status (0 if none came), whether the portal closes the
// connection after it, and how long it took.
func rawRequest(t *testing.T, w *world, method, path string, header map[string]string, body string, sent, length int, wait time.Duration) (int, bool, time.Duration) {
	t.Helper()
	u, err := url.Parse(w.url)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	req := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", method, path, u.Host, length)
	for k, v := range header {
		req += k + ": " + v + "\r\n"
	}
	start := time.Now()
	_, err = fmt.Fprint(conn, req+"\r\n"+body[:sent])
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(start.Add(wait)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, false, time.Since(start)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Close, time.Since(start)
}

// TestBodiesHaveADeadline: a body that does not arrive within its route's deadline
// gets 408 and the connection closed, and is counted; a request refused before its
// body is read is answered at once, without waiting for the body.
func TestBodiesHaveADeadline(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.BodyTimeout = 300 * time.Millisecond; c.AttachmentTimeout = 600 * time.Millisecond })
	tok, _ := w.citizen(0)
	_, d := w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert)
	id, _ := d["id"].(string)
	require.NotEmpty(t, id)
	submit := `{"procedure_code":"1.001193","unit_code":"00004","form":{}}`
	asJSON := map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json", "Idempotency-Key": "deadline"}
	asPDF := map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/pdf"}
	scan := "%PDF-1.4 a scan of a birth certificate"
	tests := []struct {
		name         string
		path         string
		header       map[string]string
		body         string
		sent         int // bytes of body sent; the rest never comes
		code         int
		atLeast, max time.Duration
	}{
		{"JSON body stalls", "/api/v1/dossiers", asJSON, submit, 10, http.StatusRequestTimeout, 300 * time.Millisecond, 3 * time.Second},
		{"attachment stalls", "/api/v1/dossiers/" + id + "/attachments?name=a.pdf", asPDF, scan, 5, http.StatusRequestTimeout, 600 * time.Millisecond, 3 * time.Second},
		{"whole JSON body", "/api/v1/dossiers", asJSON, submit, len(submit), http.StatusCreated, 0, 3 * time.Second},
		{"whole attachment", "/api/v1/dossiers/" + id + "/attachments?name=b.pdf", asPDF, scan, len(scan), http.StatusCreated, 0, 3 * time.Second},
		{"no token: 401 without waiting for the body", "/api/v1/dossiers", map[string]string{"Content-Type": "application/json"}, submit, 1, http.StatusUnauthorized, 0, 250 * time.Millisecond},
		{"too large by its length: 413 at once", "/api/v1/dossiers/" + id + "/attachments?name=c.pdf", asPDF, scan + fmt.Sprintf("%6000000d", 1), 1, http.StatusRequestEntityTooLarge, 0, 250 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := w.metric("portal_body_timeouts_total")
			code, closed, took := rawRequest(t, w, http.MethodPost, tt.path, tt.header, tt.body, tt.sent, len(tt.body), 5*time.Second)
			require.Equal(t, tt.code, code)
			assert.GreaterOrEqual(t, took, tt.atLeast)
			assert.Less(t, took, tt.max)
			if code == http.StatusRequestTimeout {
				assert.True(t, closed, "Connection: close")
				assert.Equal(t, before+1, w.metric("portal_body_timeouts_total"))
			}
			if tt.sent < len(tt.body) && code != http.StatusRequestTimeout {
				assert.True(t, closed, "an unread body is not waited for: Connection: close")
			}
		})
	}
}

// TestUnauthenticatedNeverTakesASlot: with the only write slot busy, a request
// without a valid token is still answered 401 — authentication comes before
// admission — while a genuine one is shed with 503.
func TestUnauthenticatedNeverTakesASlot(t *testing.T) {
	w := newWorld(t, func(c *Config) {
		c.WriteInFlight = 1
		c.AdmissionWait = 10 * time.Millisecond
		c.RegistryTimeout = 2 * time.Second
	})
	w.knob("population", "latency=1s")
	holder, _ := w.citizen(0)
	done := make(chan int, 1)
	go func() {
		code, _ := w.do(http.MethodPost, "/api/v1/dossiers", holder, birthCert)
		done <- code
	}()
	require.Eventually(t, func() bool { return w.metric(`portal_in_flight{class="write"}`) == 1 }, 2*time.Second, 5*time.Millisecond)
	other, _ := w.citizen(1)
	tests := []struct {
		name, token string
		code        int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"garbage token", "garbage", http.StatusUnauthorized},
		{"genuine token, no slot", other, http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := w.do(http.MethodPost, "/api/v1/dossiers", tt.token, birthCert)
			assert.Equal(t, tt.code, code, body)
		})
	}
	assert.Equal(t, http.StatusCreated, <-done, "the slot holder finishes")
}

// TestCallerInFlightLimit: one account gets at most CallerInFlight requests in
// progress (429 + Retry-After beyond, naming the quota); other accounts are not
// affected.
func TestCallerInFlightLimit(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.CallerInFlight = 2; c.RegistryTimeout = 2 * time.Second })
	w.knob("population", "latency=600ms")
	tok, _ := w.citizen(0)
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert)
		}()
	}
	require.Eventually(t, func() bool { return w.metric(`portal_in_flight{class="write"}`) == 2 }, 2*time.Second, 5*time.Millisecond, "codes so far %v", codes)
	code, body, hdr := w.doRaw(http.MethodGet, "/api/v1/dossiers", tok, nil)
	assert.Equal(t, http.StatusTooManyRequests, code, body)
	assert.Equal(t, quotaCallerInFlight, body["quota"])
	assert.EqualValues(t, 2, body["limit"])
	assert.Equal(t, "1", hdr.Get("Retry-After"))
	other, _ := w.citizen(1)
	code, body = w.do(http.MethodGet, "/api/v1/dossiers", other, nil)
	assert.Equal(t, http.StatusOK, code, body)
	wg.Wait()
	assert.Equal(t, []int{http.StatusCreated, http.StatusCreated}, codes)
	code, _ = w.do(http.MethodGet, "/api/v1/dossiers", tok, nil)
	assert.Equal(t, http.StatusOK, code, "the limit counts requests in progress only")
	assert.Equal(t, 1.0, w.metric(`portal_quota_refusals_total{quota="caller_in_flight"}`))
}
