// Command ferretdb runs the embeddable FerretDB 1.24 (PostgreSQL or SQLite backend) for the
// local stack.
//
// The upstream cmd/ferretdb cannot be built with `go install` (it needs generated version
// files), so the local stack builds this small wrapper around the embeddable package instead.
package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	handler := flag.String("handler", "sqlite", "storage backend: postgresql or sqlite")
	postgresURL := flag.String("postgresql-url", "", "URL of the PostgreSQL database (handler postgresql)")
	dataDir := flag.String("sqlite-dir", "data", "directory holding the SQLite databases (handler sqlite)")
	logLevel := flag.String("log-level", "info", "log level: debug, info, warn or error")
	// WAL with synchronous=NORMAL: a commit survives a crash of any process, and only a power
	// loss can take the last commits; FULL would fsync every single-document write.
	sqliteParams := flag.String("sqlite-params", "_pragma=synchronous(NORMAL)", "query parameters of the SQLite URL")
	flag.Parse()

	backend := backendConfig{handler: *handler, postgresURL: *postgresURL, sqliteDir: *dataDir, sqliteParams: *sqliteParams}
	if err := run(*listen, backend, *logLevel); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
}

// backendConfig names where FerretDB keeps the data.
type backendConfig struct {
	handler      string
	postgresURL  string
	sqliteDir    string
	sqliteParams string
}

// config is FerretDB's configuration for this backend, listening on the Unix socket.
func (b backendConfig) config(socket string, logger *slog.Logger) (*ferretdb.Config, error) {
	c := &ferretdb.Config{Listener: ferretdb.ListenerConfig{Unix: socket}, Logger: logger, Handler: b.handler}
	switch b.handler {
	case "postgresql":
		if b.postgresURL == "" {
			return nil, fmt.Errorf("-postgresql-url is required with -handler postgresql")
		}
		c.PostgreSQLURL = b.postgresURL
	case "sqlite":
		dir, err := filepath.Abs(b.sqliteDir)
		if err != nil {
			return nil, err
		}
		if err = os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
		c.SQLiteURL = "file:" + strings.TrimSuffix(dir, "/") + "/?" + b.sqliteParams
	default:
		return nil, fmt.Errorf("unknown -handler %q: postgresql or sqlite", b.handler)
	}
	return c, nil
}

// socketKey names this instance's private socket: the data directory or database URL.
func (b backendConfig) socketKey() string {
	if b.handler == "postgresql" {
		return b.postgresURL
	}
	dir, _ := filepath.Abs(b.sqliteDir)
	return dir
}

func run(listen string, backend backendConfig, logLevel string) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("invalid -log-level %q: %w", logLevel, err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// FerretDB itself listens on a private Unix socket; clients reach it through the write gate
	// (gate.go), which makes single-document updates atomic.
	socket := backendSocket(backend.socketKey())
	_ = os.Remove(socket)
	config, err := backend.config(socket, logger)
	if err != nil {
		return err
	}
	f, err := ferretdb.New(config)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	logger.Info("FerretDB listening", "addr", listen, "handler", backend.handler)
	g := &gate{backend: socket, logger: logger}
	errs := make(chan error, 2)
	go func() { errs <- f.Run(ctx) }()
	go func() { errs <- g.serve(ctx, listen) }()
	err = <-errs
	stop()
	return err
}

// backendSocket is a short path (Unix socket paths are limited to about 100 bytes) that is
// unique to the data directory or database.
func backendSocket(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(os.TempDir(), fmt.Sprintf("vaxflow-ferretdb-%x.sock", sum[:6]))
}
