package site

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/nats-io/nats-server/v2/server"

	"socketlab/app/msg"
)

// lockedBuffer is a log the test reads while the server writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// clusterNode starts (on demand) one node of a 3-node JetStream cluster in
// this process, on loopback ports chosen in advance.
type clusterNode struct {
	opts *server.Options
	ns   *server.Server
}

func loopbackPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func clusterNodes(t *testing.T) []*clusterNode {
	t.Helper()
	var nodes []*clusterNode
	var routes []*url.URL
	for i := range 3 {
		o := &server.Options{ServerName: fmt.Sprintf("s%d", i+1), Host: "127.0.0.1", Port: loopbackPort(t),
			JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true,
			Cluster: server.ClusterOpts{Name: "start", Host: "127.0.0.1", Port: loopbackPort(t)}}
		routes = append(routes, &url.URL{Scheme: "nats", Host: fmt.Sprintf("127.0.0.1:%d", o.Cluster.Port)})
		nodes = append(nodes, &clusterNode{opts: o})
	}
	for _, n := range nodes {
		n.opts.Routes = routes
	}
	t.Cleanup(func() {
		for _, n := range nodes {
			if n.ns != nil {
				n.ns.Shutdown()
				n.ns.WaitForShutdown()
			}
		}
	})
	return nodes
}

func (n *clusterNode) start(t *testing.T) {
	t.Helper()
	ns, err := server.NewServer(n.opts)
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats node not ready")
	}
	n.ns = ns
}

// TestChatStartsBehindPages starts a replica on a NATS cluster that has no
// JetStream quorum yet (one node of three): the server comes up anyway,
// serves pages, says 503 "chat store: starting" on /readyz and closes chat
// sockets with 1013; once the other nodes are up, the stream is created
// without a restart and the chat works.
func TestChatStartsBehindPages(t *testing.T) {
	nodes := clusterNodes(t)
	nodes[0].start(t)
	start := time.Now()
	logs := &lockedBuffer{}
	s := startSite(t, Config{NATSURL: nodes[0].ns.ClientURL(), NATSReplicas: 3, ChatStartTimeout: 2 * time.Minute,
		Log: slog.New(slog.NewTextHandler(logs, nil))})
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("New took %v with no JetStream quorum: it should serve pages meanwhile", d)
	}
	if resp, _ := get(t, "http://"+s.addr+"/"); resp.StatusCode != 200 {
		t.Fatalf("home page while the chat starts: %d", resp.StatusCode)
	}
	if resp, body := get(t, "http://"+s.addr+"/readyz"); resp.StatusCode != 503 || !strings.Contains(body, "chat store: starting") {
		t.Fatalf("/readyz while the chat starts = %d %q, want 503 chat store: starting", resp.StatusCode, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+s.addr+msg.ChatPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = ws.Read(ctx)
	if st := websocket.CloseStatus(err); st != websocket.StatusTryAgainLater {
		t.Fatalf("chat socket while the chat starts: %v, want a 1013 close", err)
	}
	ws.CloseNow()

	nodes[1].start(t)
	nodes[2].start(t)
	for deadline := time.Now().Add(90 * time.Second); ; {
		resp, body := get(t, "http://"+s.addr+"/readyz")
		if resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz 90s after the cluster was whole: %d %q\nlog:\n%s", resp.StatusCode, body, logs)
		}
		time.Sleep(200 * time.Millisecond) // polling interval, bounded by the deadline
	}
	if !strings.Contains(logs.String(), "chat store: setup failed, retrying") {
		t.Errorf("no retry logged:\n%s", logs)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, _, err = websocket.Dial(ctx, "ws://"+s.addr+msg.ChatPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	join, _ := json.Marshal(msg.Chat{Type: msg.ChatJoin, Room: "lobby", Nick: "ada", Token: "token-of-ada-0123456789"})
	if err := ws.Write(ctx, websocket.MessageText, join); err != nil {
		t.Fatal(err)
	}
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("join once ready: %v", err)
		}
		var env msg.Chat
		json.Unmarshal(data, &env)
		if env.Type == msg.ChatSynced {
			break
		}
	}
}
