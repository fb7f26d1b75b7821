"""Space and time: routes and hubs, the network period by period, case timelines, enforcement outcomes."""
