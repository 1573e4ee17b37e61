package e2e

import (
	"testing"

	"socketlab/internal/testkit"
	"socketlab/server/site"
)

// TestScaleOutChat: two people on two different server replicas, which
// share one NATS JetStream (a real NATS server on a loopback port), chat
// with each other and see each other present, as if behind a load balancer
// that sent them to different replicas.
func TestScaleOutChat(t *testing.T) {
	ns := testkit.JetStream(t)
	a := startServer(t, site.Config{NATSURL: ns.ClientURL()})
	b := startServer(t, site.Config{NATSURL: ns.ClientURL()})

	adaU, bobU := newUser(t, "ada"), newUser(t, "bob")
	noDialogs(t, adaU)
	noDialogs(t, bobU)
	ada := openChat(adaU, a.URL, "lobby", "ada")
	bob := openChat(bobU, b.URL, "lobby", "bob")
	ada.waitPresence("ada", "bob")
	bob.waitPresence("ada", "bob")

	ada.say("Hello from replica A")
	bob.waitMessages("Hello from replica A")
	bob.say("Hi from replica B")
	ada.waitMessages("Hello from replica A", "Hi from replica B")
	bob.waitMessages("Hello from replica A", "Hi from replica B")

	// Replica A stops (a deploy): ada's page reconnects to it when it is
	// back and catches up on what bob said meanwhile on B.
	a.Stop()
	bob.waitPresence("bob")
	bob.say("Said while A was down")
	a.Start()
	ada.waitMessages("Hello from replica A", "Hi from replica B", "Said while A was down")
	bob.waitPresence("ada", "bob")
}
