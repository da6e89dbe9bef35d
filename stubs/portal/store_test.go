package portal

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGroupCommitIsolatesFailures: ops batched into one transaction succeed or
// fail on their own; a failing op leaves nothing behind and costs its neighbours nothing.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	st, err := openStore(context.Background(), t.TempDir(), 64)
	require.NoError(t, err)
	var batches []int
	var mu sync.Mutex
	st.observe = func(n int, _ time.Duration) { mu.Lock(); batches = append(batches, n); mu.Unlock() }
	boom := errors.New("refused")
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = st.write(context.Background(), func(tx *wtx) error {
				if _, err := tx.Exec(`INSERT INTO history(dossier_id, at, status, actor) VALUES(?,?,?,?)`, fmt.Sprint(i), i, "s", "a"); err != nil {
					return err
				}
				if i%10 == 0 {
					return boom // after writing: its row must be rolled back
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if i%10 == 0 {
			assert.ErrorIs(t, err, boom)
		} else {
			assert.NoError(t, err)
		}
	}
	var n int
	require.NoError(t, st.r.QueryRow(`SELECT count(*) FROM history`).Scan(&n))
	assert.Equal(t, 180, n)
	require.NoError(t, st.Close())
	assert.ErrorIs(t, st.write(context.Background(), func(*wtx) error { return nil }), errStoreClosed)
}
