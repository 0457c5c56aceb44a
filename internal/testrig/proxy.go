package testrig

import (
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Proxy sits between a client and the server on a loopback port and can
// drop or stall every connection, to show how Init meets a failing
// network. It only ever connects to the test server.
type Proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	gate   chan struct{} // closed while traffic flows
	wg     sync.WaitGroup
	refuse map[string]bson.D // command name -> the error reply the proxy answers instead
	// intercept, when set, answers a message itself (a non-nil reply) or
	// lets it pass (nil): the fake mongos of mongos.go.
	intercept func(msg []byte) []byte
}

// StartProxy starts a proxy to the test server, closed when the test ends.
func StartProxy(t testing.TB) *Proxy {
	t.Helper()
	ensure()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	target := strings.Split(u.Host, ",")[0]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}, gate: make(chan struct{})}
	close(p.gate)
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// URI is the test server's URI through the proxy, as a direct connection.
func (p *Proxy) URI() string {
	u, _ := url.Parse(uri)
	u.Host = p.ln.Addr().String()
	q := u.Query()
	q.Set("directConnection", "true")
	q.Del("replicaSet")
	u.RawQuery = q.Encode()
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns[client], p.conns[server] = struct{}{}, struct{}{}
		p.mu.Unlock()
		go p.requests(client, server)
		go p.pipe(server, client)
	}
}

// pipe copies from src to dst, holding data while the proxy is stalled.
func (p *Proxy) pipe(src, dst net.Conn) {
	defer p.forget(src, dst)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			gate := p.gate
			p.mu.Unlock()
			<-gate
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				return
			}
			return
		}
	}
}

// Refuse makes the proxy answer every later command named command with
// the error reply {ok: 0, code, codeName, errmsg: message}, as a server
// would refuse it, without passing it on: a test sees how Init reads a
// refusal the server at hand never gives.
func (p *Proxy) Refuse(command string, code int32, codeName, message string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.refuse == nil {
		p.refuse = map[string]bson.D{}
	}
	p.refuse[command] = bson.D{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: message},
		{Key: "code", Value: code}, {Key: "codeName", Value: codeName}}
}

// Answer makes the proxy answer the commands answer gives a reply for
// (a non-nil body) itself, and pass the others on: a test plays, command
// by command, a feature the server lacks.
func (p *Proxy) Answer(answer func(cmd bson.Raw) bson.D) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.intercept = func(msg []byte) []byte {
		cmd, legacy := command(msg)
		if cmd == nil {
			return nil
		}
		if body := answer(cmd); body != nil {
			return replyTo(msg, body, legacy)
		}
		return nil
	}
}

// Pass lets command reach the server again.
func (p *Proxy) Pass(command string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.refuse, command)
}

// The wire protocol's OP_MSG: a 16-byte header (length, requestID,
// responseTo, opCode), flag bits, then sections; section kind 0 is the
// command document, whose first key names the command.
const opMsg = 2013

// requests copies the client's messages to the server one whole message
// at a time, answering those Refuse names itself.
func (p *Proxy) requests(client, server net.Conn) {
	defer p.forget(client, server)
	header := make([]byte, 16)
	for {
		if _, err := io.ReadFull(client, header); err != nil {
			return
		}
		n := int(binary.LittleEndian.Uint32(header))
		if n < 16 || n > 64<<20 {
			return
		}
		msg := make([]byte, n)
		copy(msg, header)
		if _, err := io.ReadFull(client, msg[16:]); err != nil {
			return
		}
		p.mu.Lock()
		gate := p.gate
		p.mu.Unlock()
		<-gate
		reply := p.refusal(msg)
		if reply == nil && p.intercept != nil {
			reply = p.intercept(msg)
		}
		if reply != nil {
			if _, err := client.Write(reply); err != nil {
				return
			}
			continue
		}
		if _, err := server.Write(msg); err != nil {
			return
		}
	}
}

// refusal is the reply to msg when Refuse names its command, else nil.
func (p *Proxy) refusal(msg []byte) []byte {
	if binary.LittleEndian.Uint32(msg[12:]) != opMsg || len(msg) < 21 || msg[20] != 0 {
		return nil
	}
	doc := bson.Raw(msg[21:])
	elem, err := doc.IndexErr(0)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	answer, ok := p.refuse[elem.Key()]
	p.mu.Unlock()
	if !ok {
		return nil
	}
	body, err := bson.Marshal(answer)
	if err != nil {
		return nil
	}
	reply := make([]byte, 21, 21+len(body))
	binary.LittleEndian.PutUint32(reply[0:], uint32(21+len(body)))
	binary.LittleEndian.PutUint32(reply[4:], binary.LittleEndian.Uint32(msg[4:])+1<<30)
	binary.LittleEndian.PutUint32(reply[8:], binary.LittleEndian.Uint32(msg[4:])) // responseTo
	binary.LittleEndian.PutUint32(reply[12:], opMsg)
	// flag bits 0 and section kind 0 are already zero
	return append(reply, body...)
}

func (p *Proxy) forget(a, b net.Conn) {
	a.Close()
	b.Close()
	p.mu.Lock()
	delete(p.conns, a)
	delete(p.conns, b)
	p.mu.Unlock()
}

// DropAll closes every open connection, as a server restart would.
func (p *Proxy) DropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

// Stall holds all traffic, in both directions, until Resume: the server
// seems to hang.
func (p *Proxy) Stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.gate:
		p.gate = make(chan struct{})
	default:
	}
}

// Resume lets traffic flow again.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.gate:
	default:
		close(p.gate)
	}
}

// Close stops the proxy and its connections.
func (p *Proxy) Close() {
	p.ln.Close()
	p.Resume()
	p.DropAll()
	p.wg.Wait()
}
