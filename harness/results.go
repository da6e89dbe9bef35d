package harness

import (
	"bufio"
	"fmt"
	"os"
	"sync"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// resultsFile writes every response in vegeta's results format (gob) as it arrives,
// so that `vegeta report`, `vegeta plot` and `vegeta encode` read a thongsuot run.
// Nothing is kept beyond a write buffer; each result's Attack field is its class.
type resultsFile struct {
	mu   sync.Mutex
	file *os.File
	buf  *bufio.Writer
	enc  vegeta.Encoder
	err  error // the first write error; later results are dropped
}

func createResults(path string) (*resultsFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("results file: %w", err)
	}
	buf := bufio.NewWriterSize(f, 256<<10)
	return &resultsFile{file: f, buf: buf, enc: vegeta.NewEncoder(buf)}, nil
}

// add writes one result. The sink calls it from one goroutine per class.
func (r *resultsFile) add(res *vegeta.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = r.enc.Encode(res)
	}
}

// Close flushes and closes the file, returning the first error of the whole run.
func (r *resultsFile) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = r.buf.Flush()
	}
	if err := r.file.Close(); r.err == nil {
		r.err = err
	}
	if r.err != nil {
		return fmt.Errorf("results file %s: %w", r.file.Name(), r.err)
	}
	return nil
}
