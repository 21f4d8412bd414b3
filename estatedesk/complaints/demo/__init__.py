"""The demo company's year of complaints (decision 0006): ``history`` loads it, ``plans`` decides
what happens, ``lives`` takes each matter through the services, ``story`` holds the cast and the clock."""
