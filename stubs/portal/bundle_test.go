package portal

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/stubs/registry"
)

func birthBundle(i int) map[string]any {
	return map[string]any{"procedure_code": BundleBirth, "unit_code": "00004", "form": map[string]string{
		"child_name": fmt.Sprintf("Nguyễn Minh %d", i), "child_sex": "female", "child_birth_date": time.Now().AddDate(0, 0, -10).Format(time.DateOnly)}}
}

func deathBundle(w *world, i int) map[string]any {
	return map[string]any{"procedure_code": BundleDeath, "unit_code": "00008", "form": map[string]string{
		"deceased_id": w.pop.Citizen(1000 + i).PersonalID, "date_of_death": "2025-07-01"}}
}

// TestBundlesCompleteExactlyOnceAcrossOutage: the population registry (every
// bundle's first step) is down and another registry is flaky while bundles are
// submitted, the portal restarts in the middle, and after recovery every bundle
// completes with each step applied exactly once.
func TestBundlesCompleteExactlyOnceAcrossOutage(t *testing.T) {
	w := newWorld(t, nil)
	w.knob("population", "down=true")
	w.knob("residence", "error_rate=0.3")
	const n = 12
	ids := map[string]string{} // dossier id → procedure
	for i := range n {
		tok, _ := w.citizen(i)
		body := birthBundle(i)
		if i%2 == 1 {
			body = deathBundle(w, i)
		}
		code, resp := w.do(http.MethodPost, "/api/v1/bundles", tok, body, "Idempotency-Key", fmt.Sprintf("bundle-%d", i))
		require.Equal(t, http.StatusCreated, code, resp)
		assert.Equal(t, StatusProcessing, resp["status"])
		ids[resp["id"].(string)] = body["procedure_code"].(string)
		// A client retry of the same bundle is the same bundle.
		_, again := w.do(http.MethodPost, "/api/v1/bundles", tok, body, "Idempotency-Key", fmt.Sprintf("bundle-%d", i))
		require.Equal(t, resp["id"], again["id"])
	}
	// While population is down nothing gets past step 1, but the outbox keeps trying.
	require.Eventually(t, func() bool { return w.reg.Knobs().Knob("population").Stats().Rejected >= n }, 5*time.Second, 10*time.Millisecond)
	assert.Empty(t, w.reg.Ledger())

	// Restart the portal mid-outage: pending steps are on disk and resume.
	w.shutdown()
	w.start()

	w.knob("population", "down=false")
	admin := w.admin()
	require.Eventually(t, func() bool {
		_, r := w.do(http.MethodGet, "/admin/v1/receipts", admin, nil)
		list, _ := r["receipts"].([]any)
		if len(list) != n {
			return false
		}
		for _, x := range list {
			if x.(map[string]any)["status"] != StatusCompleted {
				return false
			}
		}
		return true
	}, 15*time.Second, 20*time.Millisecond)

	// Exactly once: each (dossier, step) reached its registry as one effect.
	effects := map[string]int{}
	for _, e := range w.reg.Ledger() {
		effects[e.Registry+" "+e.Kind+" "+e.Key]++
	}
	assert.Len(t, effects, 4*n, "4 steps per bundle, none lost")
	for k, c := range effects {
		assert.Equal(t, 1, c, k)
	}
	for id, code := range ids {
		for step, sp := range bundleSteps[code] {
			kind := sp.path[len("/"+sp.registry+"/v1/"):]
			assert.Equal(t, 1, effects[fmt.Sprintf("%s %s %s:%d", sp.registry, kind, id, step+1)], "%s step %d", id, step+1)
		}
	}

	// The applicant sees the steps and their results.
	tok, _ := w.citizen(0)
	for id, code := range ids {
		if code != BundleBirth {
			continue
		}
		status, d := w.do(http.MethodGet, "/api/v1/dossiers/"+id, tok, nil)
		if status == http.StatusNotFound {
			continue // another citizen's bundle
		}
		steps := d["steps"].([]any)
		require.Len(t, steps, 4)
		first := steps[0].(map[string]any)
		assert.Equal(t, registry.Population, first["registry"])
		assert.Greater(t, first["attempts"].(float64), 1.0, "population step was retried")
		child := first["result"].(map[string]any)["personal_id"]
		assert.Regexp(t, `^\d{12}$`, child)
	}
}

func TestBundleValidation(t *testing.T) {
	w := newWorld(t, nil)
	tok, me := w.citizen(0)
	tests := []struct {
		name string
		form map[string]string
		code string
		want int
	}{
		{"child too old", map[string]string{"child_name": "A", "child_sex": "male", "child_birth_date": "2010-01-01"}, BundleBirth, http.StatusUnprocessableEntity},
		{"no child name", map[string]string{"child_sex": "male", "child_birth_date": time.Now().Format(time.DateOnly)}, BundleBirth, http.StatusUnprocessableEntity},
		{"bad sex", map[string]string{"child_name": "A", "child_sex": "x", "child_birth_date": time.Now().Format(time.DateOnly)}, BundleBirth, http.StatusUnprocessableEntity},
		{"deceased is applicant", map[string]string{"deceased_id": me, "date_of_death": "2025-07-01"}, BundleDeath, http.StatusUnprocessableEntity},
		{"bad date of death", map[string]string{"deceased_id": w.pop.Citizen(9).PersonalID, "date_of_death": "yesterday"}, BundleDeath, http.StatusUnprocessableEntity},
		{"single procedure on bundles", nil, "1.001193", http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := w.do(http.MethodPost, "/api/v1/bundles", tok, map[string]any{"procedure_code": tt.code, "unit_code": "00004", "form": tt.form})
			assert.Equal(t, tt.want, code, body)
		})
	}
	code, _ := w.do(http.MethodPost, "/api/v1/bundles", tok, `{"procedure_code":`)
	assert.Equal(t, http.StatusBadRequest, code)
}

func TestRefusedStepNeedsInfo(t *testing.T) {
	w := newWorld(t, nil)
	tok, _ := w.citizen(0)
	body := deathBundle(w, 0)
	body["form"].(map[string]string)["deceased_id"] = "001099999999" // not in the population registry
	code, resp := w.do(http.MethodPost, "/api/v1/bundles", tok, body)
	require.Equal(t, http.StatusCreated, code)
	require.Eventually(t, func() bool {
		_, d := w.do(http.MethodGet, "/api/v1/dossiers/"+resp["id"].(string), tok, nil)
		return d["status"] == StatusNeedsInfo
	}, 5*time.Second, 10*time.Millisecond)
}
