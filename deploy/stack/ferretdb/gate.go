package main

// The write gate: a MongoDB wire-protocol front that lets one read-modify-write command run at
// a time.
//
// FerretDB 1.24 executes `update`, `findAndModify` and `delete` as a query followed by a
// separate write, outside any transaction, so two concurrent updates of one document can
// overwrite each other (measured here: 1,200 concurrent `$inc` of one document left 296).
// VaxFlow's invariants (capacity, the outbox inside the aggregate) need single-document
// atomicity, which MongoDB gives. The gate restores it: clients connect to the gate, the gate
// forwards every message to FerretDB over a Unix socket, and holds a lock around each
// read-modify-write command and its reply. There is one lock per collection (database and
// collection name from the command), so updates of different collections, such as two
// services' own collections, run side by side. Reads and inserts pass without a lock.

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

	"go.mongodb.org/mongo-driver/x/bsonx/bsoncore"
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
	locks   sync.Map // namespace ("db.collection") -> *sync.Mutex
}

// lock returns the mutex of one namespace, created on first use.
func (g *gate) lock(namespace string) *sync.Mutex {
	mu, _ := g.locks.LoadOrStore(namespace, &sync.Mutex{})
	return mu.(*sync.Mutex)
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
	if namespace, gated := gatedNamespace(msg); gated {
		mu := g.lock(namespace)
		mu.Lock()
		defer mu.Unlock()
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

// gatedNamespace tells whether the message is a read-modify-write command, and of which
// collection. A compressed message cannot be read: it takes the lock of every compressed message.
func gatedNamespace(msg []byte) (string, bool) {
	switch opCode(msg) {
	case opCompressed:
		return "(compressed)", true
	case opMsg:
		body := commandBody(msg)
		if body == nil {
			return "", false
		}
		first, err := body.IndexErr(0)
		if err != nil || !gatedCommands[strings.ToLower(first.Key())] {
			return "", false
		}
		collection, _ := first.Value().StringValueOK()
		database, _ := body.Lookup("$db").StringValueOK()
		return database + "." + collection, true
	}
	return "", false
}

// commandBody is the OP_MSG body (section kind 0), or nil if there is none.
func commandBody(msg []byte) bsoncore.Document {
	end := len(msg)
	if flags(msg)&flagChecksum != 0 {
		end -= 4
	}
	for off := 20; off < end; {
		kind := msg[off]
		off++
		if kind == 0 {
			doc, _, ok := bsoncore.ReadDocument(msg[off:end])
			if !ok {
				return nil
			}
			return doc
		}
		if off+4 > end {
			return nil
		}
		off += int(binary.LittleEndian.Uint32(msg[off : off+4]))
	}
	return nil
}
