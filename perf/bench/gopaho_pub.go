// The cpu_per_message.py workload with Eclipse Paho Go (what mqtt-benchmark and similar Go
// tools are built on): -clients publishers, -count QoS 1 messages of -size bytes each, at most
// -inflight unacknowledged per client. Built by cpu_per_message.py with Debian's packaged
// library (GOPATH=/usr/share/gocode, GO111MODULE=off).
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

func main() {
	port := flag.Int("port", 1883, "broker port")
	clients := flag.Int("clients", 10, "publishers")
	count := flag.Int("count", 10000, "messages per publisher")
	size := flag.Int("size", 100, "payload bytes")
	inflight := flag.Int("inflight", 20, "unacknowledged messages per publisher")
	flag.Parse()
	payload := strings.Repeat("x", *size)
	var wg sync.WaitGroup
	for i := 0; i < *clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			opts := mqtt.NewClientOptions().AddBroker(fmt.Sprintf("tcp://127.0.0.1:%d", *port)).
				SetClientID(fmt.Sprintf("gopaho_%d", i)).SetAutoReconnect(false)
			c := mqtt.NewClient(opts)
			if t := c.Connect(); t.Wait() && t.Error() != nil {
				fmt.Fprintln(os.Stderr, t.Error())
				os.Exit(1)
			}
			window := make(chan mqtt.Token, *inflight)
			topic := fmt.Sprintf("gopaho/%d", i)
			for n := 0; n < *count; n++ {
				if len(window) == cap(window) {
					(<-window).Wait()
				}
				window <- c.Publish(topic, 1, false, payload)
			}
			close(window)
			for t := range window {
				t.Wait()
			}
			c.Disconnect(100)
		}(i)
	}
	wg.Wait()
}
