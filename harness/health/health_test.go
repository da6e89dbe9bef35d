package health

import (
	"context"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type windowsInMemory struct {
	mu sync.Mutex
	ws []Window
}

func (m *windowsInMemory) AppendHealth(w Window) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ws = append(m.ws, w)
	return nil
}

// The monitor closes a window each width, measures how late its probe woke, and ends
// with the partial window it was in.
func TestMonitorWritesAWindowPerWidth(t *testing.T) {
	out := &windowsInMemory{}
	m := NewMonitor(time.Now(), 200*time.Millisecond, out)
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	require.NoError(t, m.Run(ctx))
	require.GreaterOrEqual(t, len(out.ws), 3)
	for i, w := range out.ws {
		assert.Equal(t, i, w.Index)
		assert.Positive(t, w.LagP99, "window %d: the probe woke", i)
		assert.LessOrEqual(t, w.LagP99, w.LagMax)
		assert.Equal(t, runtime.NumCPU(), w.Cores)
	}
	require.NotNil(t, m.Last())
	assert.Equal(t, len(out.ws)-1, m.Last().Index)
	if runtime.GOOS == "linux" {
		read := 0.0 // a quiet window may show no tick of CPU; the run shows some
		for _, w := range out.ws {
			read += w.HostBusy + w.ProcessCPU + w.Load1 + float64(w.OpenFiles)
		}
		assert.Positive(t, read, "/proc was read")
		assert.Positive(t, out.ws[0].OpenFiles, "open files counted")
	}
}

// A goroutine that hogs every P keeps the probe from waking on time.
func TestMonitorSeesAStarvedScheduler(t *testing.T) {
	if testing.Short() {
		t.Skip("spins every CPU for a second")
	}
	out := &windowsInMemory{}
	start := time.Now()
	m := NewMonitor(start, 400*time.Millisecond, out)
	ctx, cancel := context.WithTimeout(context.Background(), 1200*time.Millisecond)
	defer cancel()
	old := runtime.GOMAXPROCS(1) // one P: a goroutine that never yields holds it
	defer runtime.GOMAXPROCS(old)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for time.Since(start) < 800*time.Millisecond {
			spin(400 * time.Millisecond) // long stretches the scheduler must preempt
		}
	}()
	require.NoError(t, m.Run(ctx))
	<-done
	var worst time.Duration
	for _, w := range out.ws {
		worst = max(worst, w.LagMax)
	}
	assert.Greater(t, worst, 5*time.Millisecond, "the probe waited for the spinning goroutine")
}

func spin(d time.Duration) {
	end := time.Now().Add(d)
	x := 0
	for time.Now().Before(end) {
		x++
	}
	_ = x
}

func TestUsage(t *testing.T) {
	prev := hostSample{hostBusy: 100, hostTotal: 400, process: 50, waited: 1, at: 10}
	now := hostSample{hostBusy: 250, hostTotal: 600, process: 150, waited: 1.5, at: 11}
	cores, starved, busy := now.usage(prev)
	assert.InDelta(t, 1.0, cores, 1e-9, "100 ticks of CPU in one second: one core")
	assert.InDelta(t, 0.5/1.5, starved, 1e-9, "ran 1 s, waited 0.5 s")
	assert.InDelta(t, 0.75, busy, 1e-9)
}

// The monitor counts the process's open file descriptors as the kernel does, and knows
// the most it may open: the count rises by exactly the files opened.
func TestOpenFilesAreCounted(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("counted from /proc/self/fd")
	}
	require.Positive(t, fileLimit())
	before := openFiles()
	require.Positive(t, before, "stdin, stdout and stderr at least")
	var fs []*os.File
	for range 50 {
		f, err := os.Open(os.DevNull)
		require.NoError(t, err)
		fs = append(fs, f)
	}
	assert.Equal(t, before+50, openFiles())
	for _, f := range fs {
		f.Close()
	}
	assert.Equal(t, before, openFiles())
}
