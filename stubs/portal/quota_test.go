package portal

import (
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dirSize is the bytes of the files under dir (the store and its WAL).
func dirSize(t *testing.T, dir string) int64 {
	var n int64
	require.NoError(t, filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	}))
	return n
}

// residentBytes is this process's resident set (the portal runs in it), from /proc.
func residentBytes(t *testing.T) int64 {
	raw, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skip("no /proc/self/statm here")
	}
	fields := strings.Fields(string(raw))
	require.GreaterOrEqual(t, len(fields), 2)
	pages, err := strconv.ParseInt(fields[1], 10, 64)
	require.NoError(t, err)
	return pages * int64(os.Getpagesize())
}

// TestAttachmentQuotas: uploads past a dossier's count or bytes, or past the
// citizen's bytes over all their dossiers, are refused with 413 naming the quota,
// and store nothing. The adversarial case — 128 scans of 5 MiB at one dossier, which
// used to add 909 MiB on disk and 762 MiB of RSS — stores the quota's worth and no
// more.
func TestAttachmentQuotas(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 640 MiB")
	}
	tests := []struct {
		name     string
		tweak    func(*Config)
		dossiers int // the uploads go round-robin to this many dossiers of one citizen
		uploads  int
		size     int
		accepted int
		quota    string
		maxDisk  int64 // growth of the data directory
	}{
		{"128 scans of 5 MiB at one dossier", nil, 1, 128, 5 << 20, 5, quotaDossierAttachmentBytes, 80 << 20},
		{"30 small scans at one dossier", nil, 1, 30, 1 << 10, 20, quotaDossierAttachments, 8 << 20},
		{"one citizen over many dossiers", func(c *Config) { c.MaxCitizenAttachmentBytes = 3 << 20 }, 6, 12, 1 << 20, 3, quotaCitizenAttachmentBytes, 16 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, tt.tweak)
			tok, _ := w.citizen(0)
			ids := make([]string, tt.dossiers)
			for i := range ids {
				code, d := w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert, "Idempotency-Key", fmt.Sprint("q", i))
				require.Equal(t, http.StatusCreated, code, d)
				ids[i] = d["id"].(string)
			}
			diskBefore := dirSize(t, w.cfg.DataDir)
			runtime.GC()
			rssBefore := residentBytes(t)

			scan := make([]byte, tt.size)
			copy(scan, "%PDF-1.4\n")
			accepted, refused := 0, 0
			for n := range tt.uploads {
				copy(scan[16:], fmt.Sprintf("scan %06d", n)) // each one different: no deduplication
				code, body := w.do(http.MethodPost, "/api/v1/dossiers/"+ids[n%len(ids)]+"/attachments?name="+fmt.Sprint("p", n, ".pdf"), tok, scan,
					"Content-Type", "application/pdf")
				switch code {
				case http.StatusCreated:
					accepted++
				case http.StatusRequestEntityTooLarge:
					refused++
					assert.Equal(t, tt.quota, body["quota"], body)
					assert.NotEmpty(t, body["error"])
					assert.Positive(t, body["limit"])
				default:
					t.Fatalf("upload %d: %d %v", n, code, body)
				}
			}
			diskGrowth := dirSize(t, w.cfg.DataDir) - diskBefore
			rssGrowth := residentBytes(t) - rssBefore
			t.Logf("%d accepted, %d refused; data directory %+d KiB, RSS %+d MiB", accepted, refused, diskGrowth>>10, rssGrowth>>20)
			assert.Equal(t, tt.accepted, accepted)
			assert.Equal(t, tt.uploads-tt.accepted, refused)
			assert.Less(t, diskGrowth, tt.maxDisk, "the disk holds the quota's worth")
			// RSS is noisy (GC, the test's own buffers); the bound is far below what
			// storing every upload cost (762 MiB) and above what the quota's worth does.
			assert.Less(t, rssGrowth, int64(256<<20), "memory does not grow with the refused uploads")

			stored := 0
			for _, id := range ids {
				code, d := w.do(http.MethodGet, "/api/v1/dossiers/"+id, tok, nil)
				require.Equal(t, http.StatusOK, code)
				if list, ok := d["attachments"].([]any); ok {
					stored += len(list)
				}
			}
			assert.Equal(t, tt.accepted, stored, "refused uploads stored nothing")
			assert.Equal(t, float64(refused), w.metric(`portal_quota_refusals_total{quota="`+tt.quota+`"}`))

			other, _ := w.citizen(1)
			code, d := w.do(http.MethodPost, "/api/v1/dossiers", other, birthCert)
			require.Equal(t, http.StatusCreated, code)
			code, body := w.do(http.MethodPost, "/api/v1/dossiers/"+d["id"].(string)+"/attachments?name=mine.pdf", other, scan[:1<<10], "Content-Type", "application/pdf")
			assert.Equal(t, http.StatusCreated, code, "another citizen is not affected: %v", body)
		})
	}
}
