// Loading a built page (build/pages/<name>/index) into miniprogram-simulate.
const path = require('path')
const simulate = require('miniprogram-simulate')

const BUILD = path.join(__dirname, '..', 'build')

const loaded = {}

function render(name) {
  // A page is registered once per test file; each test renders a fresh instance of it.
  if (!loaded[name]) loaded[name] = simulate.load(path.join(BUILD, 'pages', name, 'index'), { rootPath: BUILD })
  const page = simulate.render(loaded[name])
  page.attach(document.createElement('parent-wrapper'))
  return page
}

function fixture(name) {
  return JSON.parse(JSON.stringify(require(`./fixtures/${name}.json`)))
}

module.exports = { render, fixture }
