// Command bench measures socketlab's speed, memory and size and writes the
// results to BENCH.md at the repository root (make bench, make bench-quick).
//
// Every figure that can be is a ratio against a baseline measured in the
// same run, because the machines are noisy: the casefold lab is measured
// side by side with a bare coder/websocket casefold handler that has nothing
// else. The tool only ever talks to servers it starts itself on loopback
// (checkLoopback refuses anything else), and every loop is bounded in count
// and time.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"strings"
	"time"
)

func main() {
	quick := flag.Bool("quick", false, "short runs for development (under a minute)")
	out := flag.String("out", "BENCH.md", "results `file` (Markdown)")
	only := flag.String("only", "", "comma-separated sections to run (casefold,chat,slow,idle,publish,soak,frontend,firstload,plot,chaos); empty runs all")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("bench: ")

	cfg := config{quick: *quick, duration: 5 * time.Second}
	if *quick {
		cfg.duration = time.Second
	}
	r := &report{started: time.Now(), quick: *quick, loadStart: loadAvg()}
	ctx := context.Background()
	for _, s := range sections() {
		if *only != "" && !strings.Contains(","+*only+",", ","+s.name+",") {
			continue
		}
		log.Printf("running %s", s.name)
		start := time.Now()
		res, err := s.run(ctx, cfg)
		if err != nil {
			log.Printf("%s: %v", s.name, err)
			res = &section{title: s.title, notes: []string{"**failed:** " + err.Error()}}
		}
		res.took = time.Since(start)
		r.sections = append(r.sections, res)
		fmt.Println(res.markdown())
	}
	if err := os.WriteFile(*out, []byte(r.markdown()), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s (%s, %d CPUs)", *out, runtime.Version(), runtime.NumCPU())
}

// config is what every section is run with.
type config struct {
	quick    bool
	duration time.Duration // how long each timed load runs
}

// bench is one section of the report.
type bench struct {
	name, title string
	run         func(context.Context, config) (*section, error)
}

func sections() []bench {
	return []bench{
		{"casefold", "Casefold request/reply", benchCasefold},
		{"chat", "Chat fan-out", benchChat},
		{"slow", "Chat fan-out with slow consumers", benchSlow},
		{"idle", "Idle connections", benchIdle},
		{"publish", "Publish latency into JetStream", benchPublish},
		{"soak", "Soak", benchSoak},
		{"frontend", "Frontend size and load time", benchFrontend},
		{"firstload", "First load on a slow phone (Lighthouse mobile)", benchFirstLoad},
		{"plot", "Plot throughput", benchPlot},
		{"chaos", "Chaos: losing NATS nodes and replicas", benchChaos},
	}
}
