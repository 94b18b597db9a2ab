package main

import (
	"os"

	"github.com/teethtool/teeth/cli"
)

func main() { os.Exit(cli.Main(version)) }
