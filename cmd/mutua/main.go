// Command mutua runs and talks to a Mutua clearing and settlement node.
package main

import (
	"os"

	"github.com/mutua-org/mutua/internal/cli"
)

func main() { os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr)) }
