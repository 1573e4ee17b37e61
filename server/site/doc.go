// Package site assembles the socketlab server: it mounts every lab's socket
// handler, the embedded assets and the go-app page handler on one mux, and
// runs it with a graceful shutdown.
//
// server/main.go turns flags into a Config and calls Serve; the e2e tests
// build a Config of their own and run the very same server in-process. Read
// Routes (routes.go) to see every URL the server answers.
package site
