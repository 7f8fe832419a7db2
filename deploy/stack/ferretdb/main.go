// Command ferretdb runs the embeddable FerretDB 1.24 (SQLite backend) for the local stack.
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
	dataDir := flag.String("sqlite-dir", "data", "directory holding the SQLite databases")
	logLevel := flag.String("log-level", "info", "log level: debug, info, warn or error")
	// WAL with synchronous=NORMAL: a commit survives a crash of any process, and only a power
	// loss can take the last commits; FULL would fsync every single-document write.
	sqliteParams := flag.String("sqlite-params", "_pragma=synchronous(NORMAL)", "query parameters of the SQLite URL")
	flag.Parse()

	if err := run(*listen, *dataDir, *logLevel, *sqliteParams); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
}

func run(listen, dataDir, logLevel, sqliteParams string) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("invalid -log-level %q: %w", logLevel, err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}
	if err = os.MkdirAll(dir, 0o750); err != nil {
		return err
	}

	// FerretDB itself listens on a private Unix socket; clients reach it through the write gate
	// (gate.go), which makes single-document updates atomic.
	socket := backendSocket(dir)
	_ = os.Remove(socket)
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: socket},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + strings.TrimSuffix(dir, "/") + "/?" + sqliteParams,
	})
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	logger.Info("FerretDB listening", "addr", listen, "sqlite_dir", dir)
	g := &gate{backend: socket, logger: logger}
	errs := make(chan error, 2)
	go func() { errs <- f.Run(ctx) }()
	go func() { errs <- g.serve(ctx, listen) }()
	err = <-errs
	stop()
	return err
}

// backendSocket is a short path (Unix socket paths are limited to about 100 bytes) that is
// unique to the data directory.
func backendSocket(dataDir string) string {
	sum := sha256.Sum256([]byte(dataDir))
	return filepath.Join(os.TempDir(), fmt.Sprintf("vaxflow-ferretdb-%x.sock", sum[:6]))
}
