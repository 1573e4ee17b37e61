package testkit

import (
	"fmt"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// NATS starts a NATS server in this process on a free loopback port and
// shuts it down when the test ends. It is the real server (the one the
// binary embeds), started in milliseconds, so no test needs a fake. o may
// be nil; JetStream, if o asks for it, stores in a temporary directory
// unless o names one.
func NATS(t testing.TB, o *server.Options) *server.Server {
	t.Helper()
	opts := server.Options{}
	if o != nil {
		opts = *o
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.Port == 0 {
		opts.Port = -1 // a free port
	}
	if opts.JetStream && opts.StoreDir == "" {
		opts.StoreDir = t.TempDir()
	}
	opts.NoSigs, opts.NoLog = true, true
	ns, err := server.NewServer(&opts)
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready after 10s")
	}
	return ns
}

// JetStream is NATS with JetStream on: the chat store's server.
func JetStream(t testing.TB) *server.Server {
	t.Helper()
	return NATS(t, &server.Options{JetStream: true})
}

// ClusterNode is one node of a JetStream cluster from NATSCluster, started
// when the test says.
type ClusterNode struct {
	opts *server.Options
	// Server is the running node, nil until Start.
	Server *server.Server
}

// NATSCluster prepares n nodes of one JetStream cluster on loopback ports
// chosen in advance (so each knows the others' routes), none started:
// the test starts them one by one, e.g. to see a store wait for quorum.
func NATSCluster(t testing.TB, n int) []*ClusterNode {
	t.Helper()
	var nodes []*ClusterNode
	var routes []*url.URL
	for i := range n {
		o := &server.Options{ServerName: fmt.Sprintf("s%d", i+1), Host: "127.0.0.1", Port: LoopbackPort(t),
			JetStream: true, StoreDir: t.TempDir(),
			Cluster: server.ClusterOpts{Name: "testkit", Host: "127.0.0.1", Port: LoopbackPort(t)}}
		routes = append(routes, &url.URL{Scheme: "nats", Host: fmt.Sprintf("127.0.0.1:%d", o.Cluster.Port)})
		nodes = append(nodes, &ClusterNode{opts: o})
	}
	for _, nd := range nodes {
		nd.opts.Routes = routes
	}
	return nodes
}

// Start starts the node; it stops when the test ends.
func (nd *ClusterNode) Start(t testing.TB) {
	t.Helper()
	nd.Server = NATS(t, nd.opts)
}

// LoopbackPort returns a loopback TCP port that was free a moment ago: for
// a program that must be told its port before it starts.
func LoopbackPort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
