// The core's book levels (`PriceLevel`, `MarketSnapshot.Level`) are the execution model's
// `DepthLevel`: code that reads a level's price or quantity sees it with the one import.
@_exported import Execution
