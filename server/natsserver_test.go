package main

import (
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"socketlab/internal/testkit"
)

// natsServer is a real nats-server process with JetStream, on a loopback
// port and a store directory of its own, that a test can kill and restart.
type natsServer struct {
	t    *testing.T
	bin  string
	port int
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
}

// startNATS starts nats-server -js. Without the binary the test is skipped,
// unless CI is set: CI must run the scale-out tests.
func startNATS(t *testing.T) *natsServer {
	t.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		testkit.Missing(t, "no nats-server binary (apt-get install nats-server): "+err.Error())
	}
	n := &natsServer{t: t, bin: bin, port: testkit.LoopbackPort(t), dir: t.TempDir()}
	n.start()
	t.Cleanup(n.kill)
	return n
}

// URL is the nats:// URL of the server.
func (n *natsServer) URL() string { return "nats://127.0.0.1:" + strconv.Itoa(n.port) }

func (n *natsServer) start() {
	n.t.Helper()
	n.cmd = exec.Command(n.bin, "-js", "-a", "127.0.0.1", "-p", strconv.Itoa(n.port), "-sd", n.dir)
	if err := n.cmd.Start(); err != nil {
		n.t.Fatalf("nats-server: %v", err)
	}
	n.done = make(chan struct{})
	go func() { n.cmd.Wait(); close(n.done) }()
	testkit.Until(n.t, 20*time.Second, func() error {
		select {
		case <-n.done:
			return fmt.Errorf("nats-server exited at start: %v", n.cmd.ProcessState)
		default:
		}
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(n.port))
		if err != nil {
			return fmt.Errorf("nats-server not listening: %w", err)
		}
		c.Close()
		return nil
	})
}

// kill ends the server abruptly (SIGKILL), as a crash would, and waits.
func (n *natsServer) kill() {
	if n.cmd == nil {
		return
	}
	n.cmd.Process.Kill()
	<-n.done
	n.cmd = nil
}

// restart kills the server and starts it again on the same port and store.
func (n *natsServer) restart() {
	n.t.Helper()
	n.kill()
	n.start()
}
