package reconcile

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/journal"
)

// The ledger reaches the disk at each Sync, and a ledger that cannot be written says so,
// naming its file, so that the run stops.
func TestLedgerSyncsAndSaysWhenItCannot(t *testing.T) {
	created := &vegeta.Result{Code: http.StatusCreated, Method: http.MethodPost,
		Headers: http.Header{"Location": {"/api/v1/dossiers/d1"}, "Idempotency-Key": {"k1"}}}
	t.Run("synced", func(t *testing.T) {
		dir := t.TempDir()
		_, err := journal.Create(dir, journal.RunInfo{})
		require.NoError(t, err)
		l, err := OpenLedger(dir)
		require.NoError(t, err)
		l.Observe(created)
		require.NoError(t, l.Sync())
		acks, err := readLedger(dir) // before Close: what a SIGKILL now would leave
		require.NoError(t, err)
		assert.Equal(t, []ack{{ID: "d1", Key: "k1"}}, acks)
		require.NoError(t, l.Close())
	})
	t.Run("a full disk", func(t *testing.T) {
		dir := t.TempDir()
		_, err := journal.Create(dir, journal.RunInfo{})
		require.NoError(t, err)
		path := filepath.Join(dir, journal.Dir, ledgerFile)
		require.NoError(t, os.Symlink("/dev/full", path)) // every write: no space left on device
		l, err := OpenLedger(dir)
		require.NoError(t, err)
		l.Observe(created)
		err = l.Sync()
		require.Error(t, err)
		assert.Contains(t, err.Error(), path)
		assert.Contains(t, err.Error(), "no space left on device")
		assert.Error(t, l.Close())
	})
}

// What the ledger counts as an acknowledgement: the reference portal's 201 with a
// Location, or any 2xx a journey step's receipt names; nothing else.
func TestLedgerNotesReceipts(t *testing.T) {
	dir := t.TempDir()
	_, err := journal.Create(dir, journal.RunInfo{})
	require.NoError(t, err)
	l, err := OpenLedger(dir)
	require.NoError(t, err)
	for _, res := range []*vegeta.Result{
		{Code: 201, Method: "POST", Headers: http.Header{"Location": {"/api/v1/dossiers/d1"}}},
		{Code: 200, Method: "POST", Headers: http.Header{ReceiptHeader: {"HS-000001"}, "Idempotency-Key": {"k2"}}},
		{Code: 200, Method: "PUT", Headers: http.Header{ReceiptHeader: {"HS-000002"}}},
		{Code: 200, Method: "POST", Headers: http.Header{"Location": {"/api/v1/dossiers/d3"}}}, // not a 201
		{Code: 409, Method: "POST", Headers: http.Header{ReceiptHeader: {"HS-000003"}}},        // refused
		{Code: 0, Method: "POST"},
	} {
		l.Observe(res)
	}
	require.NoError(t, l.Close())
	acks, err := readLedger(dir)
	require.NoError(t, err)
	assert.Equal(t, []ack{{ID: "d1"}, {ID: "HS-000001", Key: "k2"}, {ID: "HS-000002"}}, acks)
}
