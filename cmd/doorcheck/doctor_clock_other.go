//go:build !linux

package main

func kernelTimeSync() (timeSync, error) { return timeSync{}, errNoKernelTime }
