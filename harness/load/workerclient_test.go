package load

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// meteredServer answers on keep-alive connections with answer; on the n-th request of
// a connection (from 1) for which hangUp(n) is true it reads the request and closes
// the connection without answering. It notes what every request's connection had
// carried from the client when it answered, and counts connections and requests.
type meteredServer struct {
	addr                string
	mu                  sync.Mutex
	conns, requests     int
	readAtAnswer        []int64 // bytes read from the client, per answer, cumulated per connection
	closeAfterEachReply bool    // close every connection after its answer (a server going away)
}

func newMeteredServer(t *testing.T, answer string, hangUp func(n int) bool, closeAfterEachReply bool) *meteredServer {
	s := &meteredServer{closeAfterEachReply: closeAfterEachReply}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	s.addr = ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns++
			s.mu.Unlock()
			go func() {
				defer c.Close()
				cc := &countedConn{Conn: c}
				ex := &exchange{}
				cc.current.Store(ex)
				r := bufio.NewReader(cc)
				for n := 1; ; n++ {
					req, err := http.ReadRequest(r)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, req.Body)
					s.mu.Lock()
					s.requests++
					s.mu.Unlock()
					if hangUp != nil && hangUp(n) {
						return
					}
					s.mu.Lock()
					s.readAtAnswer = append(s.readAtAnswer, ex.in.Load())
					s.mu.Unlock()
					if _, err := io.WriteString(c, answer); err != nil || s.closeAfterEachReply {
						return
					}
				}
			}()
		}
	}()
	return s
}

func (s *meteredServer) counts() (conns, requests int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns, s.requests
}

func workerHit(t *testing.T, c *workerClient, method, raw string, body []byte) *vegeta.Result {
	t.Helper()
	return workerSend(t, c, &vegeta.Target{Method: method, URL: raw, Body: body})
}

// workerSend is workerHit for a whole target, headers and all.
func workerSend(t *testing.T, c *workerClient, tgt *vegeta.Target) *vegeta.Result {
	t.Helper()
	u, err := url.Parse(tgt.URL)
	require.NoError(t, err)
	res := &vegeta.Result{Method: tgt.Method, URL: tgt.URL, Timestamp: time.Now()}
	c.do(u, tgt, res)
	return res
}

// A worker's exchanges are counted whole and exactly, headers included, each way: in,
// the answer's bytes; out, what the server read for the request.
func TestWorkerClientCountsEachExchangeExactly(t *testing.T) {
	body := strings.Repeat("x", 10_000)
	answer := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	srv := newMeteredServer(t, answer, nil, false)
	c := newWorkerClient(Reach{}, 5*time.Second)
	defer c.close()
	var sent int64
	for i, tt := range exchangesOnOneConnection {
		t.Run(tt.name, func(t *testing.T) {
			res := workerHit(t, c, tt.method, "http://"+srv.addr+"/x", []byte(strings.Repeat("s", tt.upload)))
			require.Empty(t, res.Error)
			assert.Equal(t, uint64(len(answer)), res.BytesIn, "the answer's status line, headers and body, exactly")
			srv.mu.Lock()
			read := srv.readAtAnswer[i]
			srv.mu.Unlock()
			assert.Equal(t, uint64(read-sent), res.BytesOut, "what the server read for this request, exactly")
			assert.Greater(t, res.BytesOut, uint64(tt.upload))
			sent = read
		})
	}
	conns, requests := srv.counts()
	assert.Equal(t, 1, conns, "one keep-alive connection")
	assert.Equal(t, 3, requests)
}

// As with net/http's transport: a request the server never saw, because it closed the
// idle connection first, goes out again on a new connection whatever its method; one
// it saw and hung up on is sent again only if it can be (on a reused connection, a GET,
// or a POST with an Idempotency-Key, body and all — as net/http resends a dossier whose
// body it can get again), and otherwise fails as Client.Do says it.
func TestWorkerClientSendsAgainOnlyWhatIsSafe(t *testing.T) {
	const answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	t.Run("closed while idle", func(t *testing.T) {
		srv := newMeteredServer(t, answer, nil, true)
		c := newWorkerClient(Reach{}, 5*time.Second)
		defer c.close()
		u := "http://" + srv.addr + "/x"
		require.Empty(t, workerHit(t, c, http.MethodGet, u, nil).Error)
		time.Sleep(50 * time.Millisecond) // the close reaches the client
		res := workerHit(t, c, http.MethodPost, u, []byte(`{"a":1}`))
		assert.Empty(t, res.Error)
		assert.Equal(t, uint16(http.StatusOK), res.Code)
		conns, requests := srv.counts()
		assert.Equal(t, 2, conns)
		assert.Equal(t, 2, requests, "the POST reached the server once")

		// The connection that retry dialled is looked at before its next exchange too.
		time.Sleep(50 * time.Millisecond)
		res = workerHit(t, c, http.MethodPost, u, []byte(`{"a":2}`))
		assert.Empty(t, res.Error)
		assert.Equal(t, uint16(http.StatusOK), res.Code)
		conns, requests = srv.counts()
		assert.Equal(t, 3, conns)
		assert.Equal(t, 3, requests, "the second POST reached the server once")
	})
	t.Run("hung up on after reading", func(t *testing.T) {
		srv := newMeteredServer(t, answer, func(n int) bool { return n == 2 }, false)
		c := newWorkerClient(Reach{}, 5*time.Second)
		defer c.close()
		u := "http://" + srv.addr + "/x"
		require.Empty(t, workerHit(t, c, http.MethodGet, u, nil).Error)
		res := workerHit(t, c, http.MethodPost, u, []byte(`{"a":1}`))
		assert.Equal(t, uint16(0), res.Code)
		assert.Equal(t, `Post "`+u+`": EOF`, res.Error, "not sent again: the server may have acted on it")
		_, requests := srv.counts()
		assert.Equal(t, 2, requests)

		require.Empty(t, workerHit(t, c, http.MethodGet, u, nil).Error) // a new connection's first
		res = workerHit(t, c, http.MethodGet, u, nil)                   // hung up on, sent again
		assert.Empty(t, res.Error)
		assert.Equal(t, uint16(http.StatusOK), res.Code)
		conns, requests := srv.counts()
		assert.Equal(t, 3, conns)
		assert.Equal(t, 5, requests)
	})
	t.Run("hung up on, with an idempotency key", func(t *testing.T) {
		srv := newMeteredServer(t, answer, func(n int) bool { return n == 2 }, false)
		c := newWorkerClient(Reach{}, 5*time.Second)
		defer c.close()
		u := "http://" + srv.addr + "/dossiers"
		require.Empty(t, workerHit(t, c, http.MethodGet, u, nil).Error)
		for _, key := range []string{"Idempotency-Key", "X-Idempotency-Key"} {
			res := workerSend(t, c, &vegeta.Target{Method: http.MethodPost, URL: u, Body: []byte(`{"a":1}`), Header: http.Header{key: {"k-1"}}})
			assert.Empty(t, res.Error, key)
			assert.Equal(t, uint16(http.StatusOK), res.Code, key)
		}
		conns, requests := srv.counts()
		// Each connection's second request is hung up on: each POST reached the server
		// twice, its second time on a new connection.
		assert.Equal(t, 5, requests)
		assert.Equal(t, 3, conns)
	})
}

// An answer nobody here wrote may be huge or never end: the worker reads it to its end
// and drops it, so it costs time, not memory — 256 MiB counted with a few MiB
// allocated — and one that never ends fails at the client's timeout, as net/http's
// client would, with what it carried counted.
func TestWorkerClientNeverHoldsAnAnswer(t *testing.T) {
	chunk := []byte(strings.Repeat("z", 1<<20))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := 256
		if r.URL.Path == "/endless" {
			n = 1 << 30
		}
		if r.URL.Path == "/sized" {
			w.Header().Set("Content-Length", strconv.Itoa(n*len(chunk)))
		}
		for range n {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	for _, path := range []string{"/sized", "/chunked"} {
		t.Run(path, func(t *testing.T) {
			c := newWorkerClient(Reach{}, 30*time.Second)
			defer c.close()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			res := workerHit(t, c, http.MethodGet, srv.URL+path, nil)
			runtime.ReadMemStats(&after)
			require.Empty(t, res.Error)
			assert.EqualValues(t, 200, res.Code)
			assert.Greater(t, res.BytesIn, uint64(256<<20), "every byte of the answer counted")
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "allocated while reading 256 MiB")
		})
	}
	t.Run("endless", func(t *testing.T) {
		c := newWorkerClient(Reach{}, 500*time.Millisecond)
		defer c.close()
		began := time.Now()
		res := workerHit(t, c, http.MethodGet, srv.URL+"/endless", nil)
		assert.Less(t, time.Since(began), 5*time.Second, "bounded by the client's timeout")
		assert.Contains(t, res.Error, "(Client.Timeout or context cancellation while reading body)", "as net/http's client says it")
		assert.True(t, strings.HasPrefix(res.Error, `Get "`+srv.URL+`/endless": `), res.Error)
		assert.Zero(t, res.Code, "no answer: a transport error")
		assert.Positive(t, res.BytesIn, "what it carried is counted")
	})
}

// Portals send headers of several KiB (security policies, cookies): the worker reads
// up to 64 KiB of them, and says so past that, never "increase readbuffersize".
func TestWorkerClientReadsLargeHeaders(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("kib"))
		w.Header().Set("Content-Security-Policy", strings.Repeat("a", n<<10))
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	c := newWorkerClient(Reach{}, 5*time.Second)
	defer c.close()
	for _, tt := range []struct {
		kib  int
		code uint16
		err  string
	}{{12, 200, ""}, {60, 200, ""}, {70, 0, "the answer's headers are over 64 KiB"}} {
		res := workerHit(t, c, http.MethodGet, fmt.Sprintf("%s/?kib=%d", srv.URL, tt.kib), nil)
		assert.Equal(t, tt.code, res.Code, "%d KiB of headers", tt.kib)
		if tt.err == "" {
			assert.Empty(t, res.Error)
			assert.Greater(t, res.BytesIn, uint64(tt.kib<<10))
		} else {
			assert.Contains(t, res.Error, tt.err)
		}
	}
}
