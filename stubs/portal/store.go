package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// store is the durable dossier store: SQLite in WAL mode with synchronous=FULL, so
// a committed transaction is on disk. All writes go through one writer goroutine
// that commits many requests' changes in one transaction (group commit): one fsync
// acknowledges a whole batch, so durability does not cap throughput. Reads use a
// separate pool, which WAL lets run alongside the writer.
type store struct {
	w, r     *sql.DB
	ops      chan *writeOp
	maxBatch int
	done     chan struct{}
	closed   chan struct{}
	mu       sync.RWMutex // held for reading while enqueueing, so Close cannot strand an op
	isClosed bool
	observe  func(batch int, took time.Duration) // metrics hook; never nil
	stmts    map[string]*sql.Stmt
	conn     *sql.Conn // the writer's connection, held for the store's life
}

type writeOp struct {
	fn  func(*wtx) error
	err chan error
}

// errStoreClosed is returned for writes after Close.
var errStoreClosed = errors.New("store is closed")

const schema = `
CREATE TABLE IF NOT EXISTS dossiers(
  id TEXT PRIMARY KEY,
  receipt TEXT NOT NULL UNIQUE,
  owner TEXT NOT NULL,
  kind TEXT NOT NULL,
  procedure_code TEXT NOT NULL,
  unit_code TEXT NOT NULL,
  status TEXT NOT NULL,
  form TEXT NOT NULL,
  fee_vnd INTEGER NOT NULL,
  payment_receipt TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS dossiers_owner ON dossiers(owner, created_at);
CREATE INDEX IF NOT EXISTS dossiers_queue ON dossiers(unit_code, status, created_at);
CREATE TABLE IF NOT EXISTS history(
  dossier_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  status TEXT NOT NULL,
  actor TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS history_dossier ON history(dossier_id);
CREATE TABLE IF NOT EXISTS idempotency(
  owner TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  dossier_id TEXT NOT NULL,
  PRIMARY KEY(owner, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attachments(
  id TEXT PRIMARY KEY,
  dossier_id TEXT NOT NULL,
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  data BLOB NOT NULL,
  created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS attachments_dossier ON attachments(dossier_id);
CREATE TABLE IF NOT EXISTS attachment_usage(
  owner TEXT PRIMARY KEY,
  bytes INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dossier_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  name TEXT NOT NULL,
  registry TEXT NOT NULL,
  path TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL,
  UNIQUE(dossier_id, step));
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, next_at);
`

// openStore opens (creating) dir/portal.db. maxBatch ≤ 1 turns group commit off:
// every write is its own transaction and its own fsync.
func openStore(ctx context.Context, dir string, maxBatch int) (*store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, "portal.db")
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1) // SQLite has one writer; queueing here would hide the batch
	if _, err := w.ExecContext(ctx, schema); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("create schema in %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	conn, err := w.Conn(ctx)
	if err != nil {
		_ = w.Close()
		_ = r.Close()
		return nil, fmt.Errorf("writer connection: %w", err)
	}
	if maxBatch < 1 {
		maxBatch = 1
	}
	s := &store{w: w, r: r, ops: make(chan *writeOp, 4096), maxBatch: maxBatch,
		done: make(chan struct{}), closed: make(chan struct{}), observe: func(int, time.Duration) {}, stmts: map[string]*sql.Stmt{}, conn: conn}
	go s.writer()
	return s, nil
}

// write runs fn inside a transaction and returns once that transaction is
// durably committed (or failed). fn may be batched with others: it runs inside
// its own savepoint, so its error rolls back only its own changes.
func (s *store) write(ctx context.Context, fn func(*wtx) error) error {
	op := &writeOp{fn: fn, err: make(chan error, 1)}
	s.mu.RLock()
	if s.isClosed {
		s.mu.RUnlock()
		return errStoreClosed
	}
	select {
	case s.ops <- op:
		s.mu.RUnlock()
	case <-ctx.Done():
		s.mu.RUnlock()
		return fmt.Errorf("waiting for the store: %w", ctx.Err())
	}
	// Once queued the op will be committed or failed; wait for it even if the client
	// left, so the outcome (and any 201 a retry replays) is settled.
	return <-op.err
}

func (s *store) writer() {
	defer close(s.closed)
	batch := make([]*writeOp, 0, s.maxBatch)
	for {
		var op *writeOp
		select {
		case op = <-s.ops:
		case <-s.done:
			// Drain what was queued before Close so no accepted op is left hanging.
			for {
				select {
				case op := <-s.ops:
					s.commit([]*writeOp{op})
				default:
					return
				}
			}
		}
		batch = append(batch[:0], op)
	fill:
		for len(batch) < s.maxBatch {
			select {
			case op := <-s.ops:
				batch = append(batch, op)
			default:
				break fill
			}
		}
		s.commit(batch)
	}
}

// commit runs the batch in one transaction and one fsync. If any op fails, the
// transaction is rolled back and each op is run again in a transaction of its
// own, so one bad op cannot fail its neighbours; failures are rare (a unique
// constraint, a refused state change), so the common path pays for no savepoints.
func (s *store) commit(batch []*writeOp) {
	start := time.Now()
	err := s.run(batch)
	if err == nil {
		s.observe(len(batch), time.Since(start))
		for _, op := range batch {
			op.err <- nil
		}
		return
	}
	if len(batch) == 1 {
		batch[0].err <- err
		return
	}
	for _, op := range batch {
		op.err <- s.run([]*writeOp{op})
	}
}

// run executes ops in one transaction and commits it.
func (s *store) run(ops []*writeOp) error {
	tx, err := s.conn.BeginTx(context.Background(), nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	t := &wtx{tx: tx, s: s}
	for _, op := range ops {
		if err := op.fn(t); err != nil {
			return errors.Join(err, rollback(tx))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

// wtx is a write transaction whose statements are prepared once per store: SQLite
// parsing the same INSERT for every dossier costs more than executing it.
type wtx struct {
	tx *sql.Tx
	s  *store
}

func (t *wtx) stmt(query string) (*sql.Stmt, error) {
	st, ok := t.s.stmts[query] // only the writer goroutine touches stmts
	if !ok {
		var err error
		if st, err = t.s.conn.PrepareContext(context.Background(), query); err != nil {
			return nil, fmt.Errorf("prepare: %w", err)
		}
		t.s.stmts[query] = st
	}
	return t.tx.Stmt(st), nil
}

// Exec runs a prepared statement in the transaction.
func (t *wtx) Exec(query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.Exec(args...)
}

// QueryRow runs a prepared query in the transaction.
func (t *wtx) QueryRow(query string, args ...any) *sql.Row {
	st, err := t.stmt(query)
	if err != nil {
		return t.tx.QueryRow(query, args...) // reports the same error on Scan
	}
	return st.QueryRow(args...)
}

// Close stops the writer after the queued writes and closes the database.
func (s *store) Close() error {
	s.mu.Lock()
	if !s.isClosed {
		s.isClosed = true
		close(s.done)
	}
	s.mu.Unlock()
	<-s.closed
	for _, st := range s.stmts {
		_ = st.Close()
	}
	return errors.Join(s.conn.Close(), s.w.Close(), s.r.Close())
}
