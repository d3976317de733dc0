from reference import render

render(2)
