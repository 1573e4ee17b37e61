package site

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"socketlab/app/msg"
	"socketlab/internal/testkit"
)

// TestChatStartsBehindPages starts a replica on a NATS cluster that has no
// JetStream quorum yet (one node of three): the server comes up anyway,
// serves pages, says 503 "chat store: starting" on /readyz and closes chat
// sockets with 1013; once the other nodes are up, the stream is created
// without a restart and the chat works.
func TestChatStartsBehindPages(t *testing.T) {
	nodes := testkit.NATSCluster(t, 3)
	nodes[0].Start(t)
	start := time.Now()
	s := startSite(t, Config{NATSURL: nodes[0].Server.ClientURL(), NATSReplicas: 3, ChatStartTimeout: 2 * time.Minute})
	logs := s.log
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("New took %v with no JetStream quorum: it should serve pages meanwhile", d)
	}
	if resp, _ := get(t, "http://"+s.Addr+"/"); resp.StatusCode != 200 {
		t.Fatalf("home page while the chat starts: %d", resp.StatusCode)
	}
	if resp, body := get(t, "http://"+s.Addr+"/readyz"); resp.StatusCode != 503 || !strings.Contains(body, "chat store: starting") {
		t.Fatalf("/readyz while the chat starts = %d %q, want 503 chat store: starting", resp.StatusCode, body)
	}
	ws, _ := testkit.Dial(t, "ws://"+s.Addr+msg.ChatPath, nil)
	if got := testkit.Messages(t, ws, msg.CloseTryAgainLater, ""); len(got) > 0 {
		t.Fatalf("chat socket while the chat starts sent %q before its 1013 close", got)
	}

	nodes[1].Start(t)
	nodes[2].Start(t)
	testkit.Until(t, 90*time.Second, func() error {
		if resp, body := get(t, s.URL("/readyz")); resp.StatusCode != 200 {
			return fmt.Errorf("/readyz after the cluster was whole: %d %q\nlog:\n%s", resp.StatusCode, body, logs)
		}
		return nil
	})
	if !strings.Contains(logs.String(), "chat store: setup failed, retrying") {
		t.Errorf("no retry logged:\n%s", logs)
	}
	ada := testkit.DialChat(t, s.Addr, "ada")
	ada.Join("lobby", "ada", 0) // welcome, then synced: the chat works
}
