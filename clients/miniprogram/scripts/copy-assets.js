// Copies the non-TypeScript parts of the mini-program (wxml, wxss, json) next to tsc's output in
// build/, so tests load the same page folders WeChat's devtools compile.
const fs = require('fs')
const path = require('path')

const source = path.join(__dirname, '..', 'miniprogram')
const target = path.join(__dirname, '..', 'build')

function copy(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name)
    const to = path.join(target, path.relative(source, from))
    if (entry.isDirectory()) {
      copy(from)
    } else if (/\.(wxml|wxss|json)$/.test(entry.name)) {
      fs.mkdirSync(path.dirname(to), { recursive: true })
      fs.copyFileSync(from, to)
    }
  }
}

copy(source)
