package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// BenchmarkStoreCreate measures durable dossier creations per second through the
// store alone (synchronous=FULL, WAL), with and without group commit, from 128
// concurrent writers:
//
//	go test ./stubs/portal -run '^$' -bench StoreCreate -benchtime 3s
func BenchmarkStoreCreate(b *testing.B) {
	for _, tc := range []struct {
		name  string
		batch int
	}{{"group-commit", 256}, {"one-tx-per-write", 1}} {
		b.Run(tc.name, func(b *testing.B) {
			st, err := openStore(context.Background(), b.TempDir(), tc.batch)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			form := json.RawMessage(`{"child_name":"Nguyễn Minh An"}`)
			parallelRate(b, 64, "creates/s", func() error {
				now := time.Now()
				d := &Dossier{ID: newID(), Receipt: newReceipt("00004", now), Applicant: "001090000001", Kind: "single",
					ProcedureCode: "1.001193", UnitCode: "00004", Status: StatusReceived, Form: form, CreatedAt: now, UpdatedAt: now}
				return st.write(context.Background(), func(tx *wtx) error { return insertDossier(tx, d, d.ID, "h", nil) })
			})
		})
	}
}

// BenchmarkSubmit measures the whole submit path in one process: HTTP, ES256
// verification, the population registry call and the durable write. Client,
// portal and registry share the two cores, so it understates a real deployment:
//
//	go test ./stubs/portal -run '^$' -bench 'Submit|CatalogueRead' -benchtime 3s
func BenchmarkSubmit(b *testing.B) {
	for _, tc := range []struct {
		name  string
		batch int
	}{{"group-commit", 256}, {"one-tx-per-write", 1}} {
		b.Run(tc.name, func(b *testing.B) {
			w := newWorld(&testing.T{}, func(c *Config) { c.GroupCommitBatch = tc.batch; c.RegistryTimeout = 5 * time.Second })
			defer w.shutdown()
			tok, _ := w.citizen(0)
			body, _ := json.Marshal(birthCert)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
			parallelRate(b, 32, "submits/s", func() error {
				req, _ := http.NewRequest(http.MethodPost, w.url+"/api/v1/dossiers", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok)
				return expect(client.Do(req))(http.StatusCreated)
			})
		})
	}
}

func BenchmarkCatalogueRead(b *testing.B) {
	w := newWorld(&testing.T{}, nil)
	defer w.shutdown()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	parallelRate(b, 32, "reads/s", func() error {
		return expect(client.Get(w.url + "/api/v1/procedures/1.001193"))(http.StatusOK)
	})
}

// parallelRate runs op from parallelism×GOMAXPROCS goroutines and reports the rate.
func parallelRate(b *testing.B, parallelism int, unit string, op func() error) {
	b.SetParallelism(parallelism)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), unit)
}

// expect closes the response and checks its status.
func expect(resp *http.Response, err error) func(int) error {
	return func(want int) error {
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			return fmt.Errorf("status %d, want %d", resp.StatusCode, want)
		}
		return nil
	}
}
