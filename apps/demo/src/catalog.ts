/** The demo's key spaces: what users ask for, ranked by popularity (Zipf rank 1 = most popular). */

/** Questions sent to the "LLM" endpoint. */
export const questions: readonly string[] = [
  'What is a tiered cache?',
  'How does stale-while-revalidate work?',
  'When should I use LFU instead of LRU?',
  'How do I invalidate a cache by tag?',
  'What is a cache stampede?',
  'How does a circuit breaker protect a cache?',
  'Why compress cached values?',
  'What does TinyLFU admission do?',
  'How big should an L1 cache be?',
  'What is write-through caching?',
  'How does Redis pub/sub keep local caches in sync?',
  'What is the cost of a cache miss?',
  'How do I pick a TTL?',
  'What is negative caching?',
  'How do distributed locks prevent duplicate work?',
  'What is a Zipf distribution?',
  'How do I measure hit ratio?',
  'Why is SQLite a good persistent cache?',
  'What is grace in a cache?',
  'How do I warm up a cache after deploy?',
  'What is MessagePack?',
  'How fast is LZ4?',
  'What does AES-GCM authenticate?',
  'How do I cache LLM answers safely?',
  'What is single-flight?',
  'What is early refresh?',
  'How does FIFO eviction compare to SIEVE?',
  'Why should metrics labels be bounded?',
  'What is a diagnostics channel?',
  'How do I expose cache metrics to Prometheus?',
  'What is backfill in a multi-level cache?',
  'How do I size a Redis cache?',
  'What happens when Redis goes down?',
  'How do I test a cache against real Redis?',
  'Can two services share one cache?',
  'What is cache-aside?',
  'How do I avoid caching errors?',
  'What is a hot key?',
  'How do I version cached data?',
  'What is the envelope format?',
]

/** Public datasets of the "statistics" endpoint. */
export const datasets: readonly string[] = [
  'population-fr',
  'population-de',
  'gdp-eu',
  'inflation-eu',
  'unemployment-fr',
  'population-it',
  'gdp-us',
  'co2-world',
  'births-fr',
  'housing-starts-us',
  'energy-mix-de',
  'tourism-es',
  'exports-cn',
  'wages-uk',
  'rainfall-fr',
  'traffic-paris',
  'air-quality-lyon',
  'electricity-prices-eu',
  'bike-counts-berlin',
  'life-expectancy-world',
]

/** Products of the "sales forecast" endpoint (each product's forecasts are tagged `product:<id>`). */
export const products: readonly string[] = Array.from({ length: 30 }, (_, i) => `sku-${String(1001 + i)}`)

/** Forecast horizons in days. */
export const horizons: readonly number[] = [7, 30, 90]
