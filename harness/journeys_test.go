package harness

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/metrics"
	"github.com/thongsuot/thongsuot/harness/reconcile"
)

// The load marks failed checks and journey receipts for packages it may not import:
// the marks must be the ones they read.
func TestTheLoadsMarksAreTheOnesRead(t *testing.T) {
	assert.Equal(t, load.CheckFailedPrefix, metrics.CheckFailedPrefix)
	assert.Equal(t, load.ReceiptHeader, reconcile.ReceiptHeader)
}
