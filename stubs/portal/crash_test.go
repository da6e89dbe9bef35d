package portal

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCrashChild is the portal process that TestSIGKILLLosesNoAcknowledgedDossier
// kills; it runs only when that test starts it.
func TestCrashChild(t *testing.T) {
	if os.Getenv("PORTAL_CRASH_CHILD") == "" {
		t.Skip("helper process for TestSIGKILLLosesNoAcknowledgedDossier")
	}
	p, err := New(context.Background(), Config{DataDir: os.Getenv("PORTAL_DATA"), IdentityURL: os.Getenv("PORTAL_IDENTITY"), RegistryURL: os.Getenv("PORTAL_REGISTRY")})
	require.NoError(t, err)
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: p}
	ln, err := listen()
	require.NoError(t, err)
	os.Stdout.WriteString("ADDR " + ln.Addr().String() + "\n")
	go func() { _ = srv.Serve(ln) }()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	<-stop // never comes: the parent sends SIGKILL
}

// TestSIGKILLLosesNoAcknowledgedDossier kills the portal process mid-surge and
// restarts it on the same data directory: every dossier that got a 201 is there.
func TestSIGKILLLosesNoAcknowledgedDossier(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	w := newWorld(t, nil) // identity and registry, plus an in-process portal we ignore
	dir := t.TempDir()
	start := func() (*exec.Cmd, string) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
		cmd.Env = append(os.Environ(), "PORTAL_CRASH_CHILD=1", "PORTAL_DATA="+dir, "PORTAL_IDENTITY="+w.idURL, "PORTAL_REGISTRY="+w.regURL)
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if addr, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
				go func() {
					for sc.Scan() {
					}
				}()
				return cmd, "http://" + addr
			}
		}
		t.Fatal("child portal did not start")
		return nil, ""
	}
	child, url := start()
	w.url = url
	require.Eventually(t, func() bool { c, _ := w.do(http.MethodGet, "/readyz", "", nil); return c == http.StatusOK }, 10*time.Second, 10*time.Millisecond)

	var mu sync.Mutex
	acked := map[string]string{} // id → receipt
	var stopped atomic.Bool
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, _ := w.citizen(i)
			client := &http.Client{Timeout: 2 * time.Second}
			for !stopped.Load() {
				req, _ := http.NewRequest(http.MethodPost, url+"/api/v1/dossiers", strings.NewReader(`{"procedure_code":"1.001193","unit_code":"00004"}`))
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := client.Do(req)
				if err != nil {
					continue // the process is gone: no acknowledgement
				}
				var body struct{ ID, Receipt string }
				if resp.StatusCode == http.StatusCreated && decodeJSON(resp, &body) == nil {
					mu.Lock()
					acked[body.ID] = body.Receipt
					mu.Unlock()
				}
				resp.Body.Close()
			}
		}()
	}
	time.Sleep(400 * time.Millisecond)
	require.NoError(t, child.Process.Kill()) // SIGKILL: no shutdown, no flush
	_ = child.Wait()
	stopped.Store(true)
	wg.Wait()
	require.NotEmpty(t, acked)

	child, url = start()
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	w.url = url
	require.Eventually(t, func() bool { c, _ := w.do(http.MethodGet, "/readyz", "", nil); return c == http.StatusOK }, 10*time.Second, 10*time.Millisecond)
	_, page := w.do(http.MethodGet, "/admin/v1/receipts?limit=100000", w.admin(), nil)
	stored := map[string]string{}
	for _, r := range page["receipts"].([]any) {
		m := r.(map[string]any)
		stored[m["id"].(string)] = m["receipt"].(string)
	}
	t.Logf("%d acknowledged before SIGKILL, %d stored after restart", len(acked), len(stored))
	for id, receipt := range acked {
		assert.Equal(t, receipt, stored[id], "acknowledged dossier %s lost", id)
	}
}
