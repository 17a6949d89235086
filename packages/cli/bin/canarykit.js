#!/usr/bin/env node
// Runs the built CLI; a committed shim so package managers can link the bin before a build.
import '../dist/bin.js'
