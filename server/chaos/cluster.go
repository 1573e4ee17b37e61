package chaos

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// ErrNoNATS is returned when there is no nats-server binary to start.
var ErrNoNATS = errors.New("chaos: no nats-server binary (apt-get install nats-server)")

// node is one nats-server process of the cluster.
type node struct {
	name        string
	port, route int
	dir         string
	cmd         *exec.Cmd
	done        chan struct{}
}

// cluster is a 3-node nats-server cluster with JetStream on loopback.
type cluster struct {
	bin   string
	nodes []*node
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("chaos: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startCluster starts n nodes under dir and waits until each listens.
func startCluster(dir string, n int) (*cluster, error) {
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoNATS, err)
	}
	c := &cluster{bin: bin}
	for i := range n {
		nd := &node{name: fmt.Sprintf("n%d", i+1), dir: filepath.Join(dir, fmt.Sprintf("n%d", i+1))}
		if nd.port, err = freePort(); err != nil {
			return nil, err
		}
		if nd.route, err = freePort(); err != nil {
			return nil, err
		}
		c.nodes = append(c.nodes, nd)
	}
	for _, nd := range c.nodes {
		if err := c.start(nd); err != nil {
			c.stop()
			return nil, err
		}
	}
	if err := c.waitRoutes(); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// waitRoutes waits until every node knows the other two (its INFO lists
// their client URLs): the cluster is formed, and what the replicas meet
// at start is JetStream electing its leaders, not nodes still looking for
// each other.
func (c *cluster) waitRoutes() error {
	deadline := time.Now().Add(30 * time.Second)
	for _, nd := range c.nodes {
		nc, err := nats.Connect("nats://127.0.0.1:"+strconv.Itoa(nd.port), nats.NoReconnect())
		if err != nil {
			return fmt.Errorf("chaos: %s: %w", nd.name, err)
		}
		for len(nc.DiscoveredServers()) < len(c.nodes)-1 {
			if time.Now().After(deadline) {
				n := len(nc.DiscoveredServers())
				nc.Close()
				return fmt.Errorf("chaos: %s knows %d other nodes after 30s, want %d", nd.name, n, len(c.nodes)-1)
			}
			time.Sleep(50 * time.Millisecond) // polling interval, bounded by the deadline
		}
		nc.Close()
	}
	return nil
}

// URL is every node's client URL, comma-separated, as -nats-url takes it.
func (c *cluster) URL() string {
	var urls []string
	for _, nd := range c.nodes {
		urls = append(urls, "nats://127.0.0.1:"+strconv.Itoa(nd.port))
	}
	return strings.Join(urls, ",")
}

func (c *cluster) node(name string) *node {
	for _, nd := range c.nodes {
		if nd.name == name {
			return nd
		}
	}
	return nil
}

// start runs nd (again: same ports, same store) and waits until it listens.
func (c *cluster) start(nd *node) error {
	var routes []string
	for _, o := range c.nodes {
		if o != nd {
			routes = append(routes, "nats://127.0.0.1:"+strconv.Itoa(o.route))
		}
	}
	if err := os.MkdirAll(nd.dir, 0o755); err != nil {
		return fmt.Errorf("chaos: %w", err)
	}
	nd.cmd = exec.Command(c.bin, "-js", "-sd", nd.dir, "-a", "127.0.0.1", "-p", strconv.Itoa(nd.port),
		"-n", nd.name, "--cluster_name", "chaos", "--cluster", "nats://127.0.0.1:"+strconv.Itoa(nd.route),
		"--routes", strings.Join(routes, ","))
	dieWithParent(nd.cmd)
	if err := nd.cmd.Start(); err != nil {
		return fmt.Errorf("chaos: nats-server %s: %w", nd.name, err)
	}
	nd.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); close(done) }(nd.cmd, nd.done)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(nd.port))
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-nd.done:
			return fmt.Errorf("chaos: nats-server %s exited at start: %v", nd.name, nd.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("chaos: nats-server %s not listening after 20s: %w", nd.name, err)
		case <-time.After(50 * time.Millisecond): // polling interval, bounded by ctx
		}
	}
}

// kill ends nd with SIGKILL, as a crash would, and waits for it.
func (c *cluster) kill(nd *node) {
	if nd.cmd == nil {
		return
	}
	nd.cmd.Process.Kill()
	<-nd.done
	nd.cmd = nil
}

func (c *cluster) stop() {
	for _, nd := range c.nodes {
		c.kill(nd)
	}
}
