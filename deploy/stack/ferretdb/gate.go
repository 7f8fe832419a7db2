package main

// The write gate: a MongoDB wire-protocol front that lets one read-modify-write command run at
// a time.
//
// FerretDB 1.24 executes `update`, `findAndModify` and `delete` as a query followed by a
// separate write, outside any transaction, so two concurrent updates of one document can
// overwrite each other (measured here: 1,200 concurrent `$inc` of one document left 296).
// VaxFlow's invariants (capacity, the outbox inside the aggregate) need single-document
// atomicity, which MongoDB gives. The gate restores it: clients connect to the gate, the gate
// forwards every message to FerretDB over a Unix socket, and holds one lock around each
// read-modify-write command and its reply. Reads and inserts pass without the lock; SQLite
// serialises the writes themselves anyway, so the lock costs little.

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
)

const (
	opCompressed  = 2012
	opMsg         = 2013
	flagChecksum  = 1 << 0
	flagMoreToCom = 1 << 1
	maxMessage    = 48 << 20
)

// gatedCommands are the commands FerretDB runs as query-then-write.
var gatedCommands = map[string]bool{"update": true, "findandmodify": true, "delete": true}

type gate struct {
	backend string // Unix socket of the embedded FerretDB
	logger  *slog.Logger
	mu      sync.Mutex
}

func (g *gate) serve(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		go g.handle(conn)
	}
}

func (g *gate) handle(client net.Conn) {
	defer client.Close()
	backend, err := net.Dial("unix", g.backend)
	if err != nil {
		g.logger.Error("gate: cannot reach FerretDB", "error", err)
		return
	}
	defer backend.Close()
	fromClient, fromBackend := bufio.NewReader(client), bufio.NewReader(backend)
	for {
		msg, err := readMessage(fromClient)
		if err != nil {
			return
		}
		if err = g.exchange(msg, backend, fromBackend, client); err != nil {
			if !errors.Is(err, io.EOF) {
				g.logger.Warn("gate: connection ended", "error", err)
			}
			return
		}
	}
}

// exchange forwards one request and its replies, under the lock if the command needs it.
func (g *gate) exchange(msg []byte, backend net.Conn, fromBackend *bufio.Reader, client net.Conn) error {
	if isGated(msg) {
		g.mu.Lock()
		defer g.mu.Unlock()
	}
	if _, err := backend.Write(msg); err != nil {
		return err
	}
	if !expectsReply(msg) {
		return nil
	}
	for {
		reply, err := readMessage(fromBackend)
		if err != nil {
			return err
		}
		if _, err = client.Write(reply); err != nil {
			return err
		}
		if expectsReply(reply) { // no moreToCome: this was the last reply
			return nil
		}
	}
}

func readMessage(r *bufio.Reader) ([]byte, error) {
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return nil, err
	}
	n := int(binary.LittleEndian.Uint32(size[:]))
	if n < 16 || n > maxMessage {
		return nil, fmt.Errorf("gate: message length %d out of range", n)
	}
	msg := make([]byte, n)
	copy(msg, size[:])
	if _, err := io.ReadFull(r, msg[4:]); err != nil {
		return nil, err
	}
	return msg, nil
}

func opCode(msg []byte) int32 { return int32(binary.LittleEndian.Uint32(msg[12:16])) }

func flags(msg []byte) uint32 {
	if opCode(msg) != opMsg || len(msg) < 20 {
		return 0
	}
	return binary.LittleEndian.Uint32(msg[16:20])
}

// expectsReply is false for a request (or reply) marked moreToCome: nothing answers it
// (or more replies follow it).
func expectsReply(msg []byte) bool { return flags(msg)&flagMoreToCom == 0 }

func isGated(msg []byte) bool {
	switch opCode(msg) {
	case opCompressed:
		return true // cannot see the command: be safe
	case opMsg:
		return gatedCommands[strings.ToLower(commandName(msg))]
	}
	return false
}

// commandName is the first key of the OP_MSG body (section kind 0).
func commandName(msg []byte) string {
	end := len(msg)
	if flags(msg)&flagChecksum != 0 {
		end -= 4
	}
	for off := 20; off < end; {
		kind := msg[off]
		off++
		if kind == 0 {
			return firstKey(msg[off:end])
		}
		if off+4 > end {
			return ""
		}
		off += int(binary.LittleEndian.Uint32(msg[off : off+4]))
	}
	return ""
}

func firstKey(doc []byte) string {
	if len(doc) < 6 {
		return ""
	}
	name := doc[5:] // int32 length, element type byte, then the key as a C string
	for i, b := range name {
		if b == 0 {
			return string(name[:i])
		}
	}
	return ""
}
