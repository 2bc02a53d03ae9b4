// The served simulator is the socket-free market of `SimulatorCore` behind HTTP: code that
// starts a server sees the market's types with the one import.
@_exported import SimulatorCore
