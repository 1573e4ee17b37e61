package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"testing"

	"socketlab/app/msg"
	"socketlab/server/chat"
)

// -h lists the chat's limits with their defaults, which are chat.Defaults;
// each takes its environment variable, and a flag given wins over it.
func TestFlagsListChatLimits(t *testing.T) {
	env := map[string]string{"SOCKETLAB_CHAT_RATE": "7.5", "SOCKETLAB_CHAT_QUEUE": "64", "SOCKETLAB_DATA": "/tmp/x"}
	fs := flag.NewFlagSet("socketlab", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	st, err := defineFlags(fs, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	var help strings.Builder
	fs.SetOutput(&help)
	fs.PrintDefaults()
	d := chat.Defaults()
	for name, def := range map[string]string{
		"chat-rate": fmt.Sprint(d.Rate), "chat-burst": fmt.Sprint(d.Burst), "chat-queue": fmt.Sprint(d.SendQueue),
		"chat-text-max": fmt.Sprint(msg.ChatMaxText), "chat-history": fmt.Sprint(msg.ChatHistory),
	} {
		f := fs.Lookup(name)
		if f == nil {
			t.Errorf("no -%s", name)
			continue
		}
		if f.DefValue != def {
			t.Errorf("-%s defaults to %s, want %s", name, f.DefValue, def)
		}
		want := "(default " + def + ")"
		_, entry, _ := strings.Cut(help.String(), "  -"+name+" ")
		entry, _, _ = strings.Cut(entry, "\n  -")
		if !strings.Contains(entry, want) || !strings.Contains(entry, "SOCKETLAB_CHAT_") {
			t.Errorf("-h does not list -%s %s with its env variable", name, want)
		}
	}
	if err := fs.Parse([]string{"-chat-queue", "32", "-chat-text-max", "500"}); err != nil {
		t.Fatal(err)
	}
	c := st.cfg.Chat
	if c.Rate != 7.5 || c.SendQueue != 32 || c.MaxText != 500 || c.Burst != d.Burst || st.cfg.DataDir != "/tmp/x" {
		t.Fatalf("parsed %+v, data %q: want rate 7.5 from the env, queue 32 from the flag over the env's 64, text 500, burst %d, data from the env",
			c, st.cfg.DataDir, d.Burst)
	}
	bad := flag.NewFlagSet("socketlab", flag.ContinueOnError)
	if _, err := defineFlags(bad, func(k string) string { return map[string]string{"SOCKETLAB_CHAT_BURST": "many"}[k] }); err == nil || !strings.Contains(err.Error(), "SOCKETLAB_CHAT_BURST") {
		t.Fatalf("a bad env value: %v, want an error naming the variable", err)
	}
}

// -ping-every 0 and -chat-write-delay 0 are refused: the configuration
// reads 0 as the default, a person typing it means "off", and neither
// should be guessed.
func TestFlagsZeroDurationRefused(t *testing.T) {
	for _, tc := range []struct {
		flag, arg string
		fail      bool
	}{{"ping-every", "0", true}, {"ping-every", "-1s", false}, {"ping-every", "10s", false},
		{"chat-write-delay", "0", true}, {"chat-write-delay", "-1ms", false}, {"chat-write-delay", "5ms", false}} {
		fs := flag.NewFlagSet("socketlab", flag.ContinueOnError)
		st, err := defineFlags(fs, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		if err := fs.Parse([]string{"-" + tc.flag, tc.arg}); err != nil {
			t.Fatal(err)
		}
		err = st.check()
		if (err != nil) != tc.fail || tc.fail && !strings.Contains(err.Error(), "negative") {
			t.Errorf("-%s %s: check gave %v, want failure %v with advice", tc.flag, tc.arg, err, tc.fail)
		}
	}
}
