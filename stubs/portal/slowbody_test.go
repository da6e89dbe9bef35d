package portal

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowBody is one attacker: it sends a submission's headers with a valid token,
// then its body one byte every drip, and starts again whenever the portal answers or
// drops the connection, until ctx ends. It counts the answers it got by status.
func slowBody(ctx context.Context, addr, token string, drip time.Duration, codes *sync.Map) {
	body := `{"procedure_code":"1.001193","unit_code":"00004","form":{"note":"slow"}}`
	for n := 0; ctx.Err() == nil && n < 100; n++ { // bounded: at most 100 connections each
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		if err != nil {
			return
		}
		fmt.Fprintf(conn, "POST /api/v1/dossiers HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: application/json\r\nIdempotency-Key: slow-%d\r\nContent-Length: %d\r\n\r\n", addr, token, n, len(body))
		answered := make(chan int, 1)
		go func() {
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				answered <- 0 // connection dropped without an answer
				return
			}
			resp.Body.Close()
			answered <- resp.StatusCode
		}()
		tick := time.NewTicker(drip)
		sent := 0
	drip:
		for {
			select {
			case code := <-answered:
				v, _ := codes.LoadOrStore(code, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
				break drip
			case <-tick.C:
				if sent < len(body) {
					_, _ = conn.Write([]byte{body[sent]})
					sent++
				}
			case <-ctx.Done():
				break drip
			}
		}
		tick.Stop()
		conn.Close()
	}
}

// TestSlowBodiesDoNotStarveSubmits is the slow-body attack: 600 connections, each
// with a valid citizen token, send a submission body one byte every 2 s. Meanwhile
// legitimate citizens submit at 20/s. Their objectives must hold throughout: p95
// at most 1 s and at least 99 % answered 201. A slow body may cost the portal a
// goroutine until its read deadline, but never an admission slot.
func TestSlowBodiesDoNotStarveSubmits(t *testing.T) {
	if testing.Short() {
		t.Skip("sends load for about 14 s")
	}
	const (
		attackers = 600
		drip      = 2 * time.Second
		rate      = 20 // legitimate submissions per second
		warmup    = time.Second
		legitFor  = 12 * time.Second
	)
	w := newWorld(t, func(c *Config) { c.RegistryTimeout = 2 * time.Second })
	u, err := url.Parse(w.url)
	require.NoError(t, err)

	// Attackers and legitimate citizens are distinct level-2 accounts (i%20 != 19).
	var level2 []int
	for i := 0; len(level2) < attackers+100; i++ {
		if i%20 != 19 {
			level2 = append(level2, i)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var codes sync.Map
	var attacking sync.WaitGroup
	for _, i := range level2[:attackers] {
		tok, _ := w.citizen(i)
		attacking.Add(1)
		go func() {
			defer attacking.Done()
			slowBody(ctx, u.Host, tok, drip, &codes)
		}()
	}
	time.Sleep(warmup) // every slow body has started

	legit := level2[attackers:]
	tokens := make([]string, len(legit))
	for k, i := range legit {
		tokens[k], _ = w.citizen(i)
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	type result struct {
		code int
		took time.Duration
	}
	var mu sync.Mutex
	var results []result
	var submitting sync.WaitGroup
	tick := time.NewTicker(time.Second / rate)
	deadline := time.Now().Add(legitFor)
	for n := 0; time.Now().Before(deadline) && n < rate*int(legitFor/time.Second)+rate; n++ {
		<-tick.C
		submitting.Add(1)
		go func() {
			defer submitting.Done()
			body := strings.NewReader(`{"procedure_code":"1.001193","unit_code":"00004","form":{}}`)
			req, _ := http.NewRequest(http.MethodPost, w.url+"/api/v1/dossiers", body)
			req.Header.Set("Authorization", "Bearer "+tokens[n%len(tokens)])
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", fmt.Sprintf("legit-%d", n))
			start := time.Now()
			resp, err := client.Do(req)
			r := result{took: time.Since(start)}
			if err == nil {
				r.code = resp.StatusCode
				resp.Body.Close()
			}
			mu.Lock()
			results = append(results, r)
			mu.Unlock()
		}()
	}
	tick.Stop()
	submitting.Wait()
	cancel()
	attacking.Wait()

	require.NotEmpty(t, results)
	ok := 0
	took := make([]time.Duration, 0, len(results))
	byCode := map[int]int{}
	for _, r := range results {
		byCode[r.code]++
		if r.code == http.StatusCreated {
			ok++
		}
		took = append(took, r.took)
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	p95 := took[(len(took)*95+99)/100-1]
	availability := float64(ok) / float64(len(results))
	slowAnswers := map[int]int64{}
	codes.Range(func(k, v any) bool { slowAnswers[k.(int)] = v.(*atomic.Int64).Load(); return true })
	t.Logf("legitimate submits: %d, answered %v, availability %.2f%%, p95 %v; slow bodies answered %v",
		len(results), byCode, 100*availability, p95.Round(time.Millisecond), slowAnswers)
	assert.GreaterOrEqual(t, availability, 0.99, "availability objective of legitimate submits")
	assert.LessOrEqual(t, p95, time.Second, "p95 objective of legitimate submits")
	assert.Zero(t, slowAnswers[http.StatusCreated], "no slow body was ever complete")
	assert.Positive(t, slowAnswers[http.StatusRequestTimeout], "slow bodies are cut off at their deadline with 408")
	assert.GreaterOrEqual(t, w.metric("portal_body_timeouts_total"), float64(slowAnswers[http.StatusRequestTimeout]), "and counted")
}
