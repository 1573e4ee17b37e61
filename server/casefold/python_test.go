package casefold

import (
	"os/exec"
	"testing"

	"socketlab/internal/testkit"
)

// pythonWithWebsockets finds a Python that has the websockets library.
func pythonWithWebsockets() string {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import websockets").Run() == nil {
			return py
		}
	}
	return ""
}

// TestPythonClient runs the stock Python websockets client (testdata/client.py)
// against the handler: the lab must interoperate with a client that knows
// nothing of socketlab.
func TestPythonClient(t *testing.T) {
	py := pythonWithWebsockets()
	if py == "" {
		testkit.Missing(t, "no python3 with the websockets library (apt-get install python3-websockets)")
	}
	url := newServer(t)
	out, err := exec.Command(py, "testdata/client.py", url, "Straße", "ΣΑΣ", "ﬁ", "İ").CombinedOutput()
	if err != nil {
		t.Fatalf("client.py: %v\n%s", err, out)
	}
	if got, want := string(out), "strasse\nσασ\nfi\ni̇\n"; got != want {
		t.Fatalf("python client printed %q, want %q", got, want)
	}
}
