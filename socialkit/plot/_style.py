"""A sober default style with a colour-blind-safe palette (Okabe & Ito 2008)."""

import plotly.graph_objects as go

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000"]

TEMPLATE = go.layout.Template(
    layout=dict(font=dict(family="Arial, Helvetica, sans-serif", size=13), colorway=PALETTE,
                plot_bgcolor="white", paper_bgcolor="white",
                xaxis=dict(showline=True, linecolor="#444", ticks="outside", showgrid=False,
                           zeroline=False),
                yaxis=dict(showline=True, linecolor="#444", ticks="outside", showgrid=True,
                           gridcolor="#eee", zeroline=False),
                margin=dict(l=60, r=20, t=50, b=50), legend=dict(bgcolor="rgba(0,0,0,0)")))
