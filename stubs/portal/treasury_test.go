package portal

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/stubs/knobs"
	"github.com/thongsuot/thongsuot/stubs/registry"
)

// A fee paid online is settled to the treasury once, after the payment and apart from
// it: with the treasury down the citizen still gets the e-receipt, and the settlement
// goes through when it is back.
func TestPaidFeesAreSettledWithTheTreasury(t *testing.T) {
	w := newWorld(t, nil)
	require.NoError(t, w.reg.Knobs().Knob(registry.Treasury).Set(knobs.Settings{Down: true}))
	tok, _ := w.citizen(0)
	_, d := w.do(http.MethodPost, "/api/v1/dossiers", tok, map[string]any{"procedure_code": "1.004194", "unit_code": "00004"})
	id := d["id"].(string)
	code, paid := w.do(http.MethodPost, "/api/v1/dossiers/"+id+"/payment", tok, map[string]string{"method": "vnpay"})
	require.Equal(t, http.StatusCreated, code, "the payment does not wait for the treasury: %v", paid)
	code, _ = w.do(http.MethodPost, "/api/v1/dossiers/"+id+"/payment", tok, map[string]string{"method": "vnpay"})
	require.Equal(t, http.StatusOK, code)

	settled := func() []registry.Entry {
		var out []registry.Entry
		for _, e := range w.reg.Ledger() {
			if e.Registry == registry.Treasury {
				out = append(out, e)
			}
		}
		return out
	}
	time.Sleep(100 * time.Millisecond)
	assert.Empty(t, settled(), "nothing settles while the treasury is down")
	require.Positive(t, w.reg.Knobs().Knob(registry.Treasury).Stats().Rejected, "the portal tried")

	require.NoError(t, w.reg.Knobs().Knob(registry.Treasury).Set(knobs.Settings{}))
	require.Eventually(t, func() bool { return len(settled()) == 1 }, 5*time.Second, 10*time.Millisecond)
	e := settled()[0]
	assert.Equal(t, "fee:"+id, e.Key)
	assert.Equal(t, "fee-settlements", e.Kind)
	assert.Equal(t, paid["e_receipt"], e.Result["e_receipt"])
	assert.Equal(t, "10000", e.Result["amount_vnd"])
	assert.Equal(t, "3511.01", e.Result["account"], "Hanoi's treasury account")
	time.Sleep(100 * time.Millisecond)
	assert.Len(t, settled(), 1, "settled once, paid twice")
}
