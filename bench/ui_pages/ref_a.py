from reference import render

render(1)
