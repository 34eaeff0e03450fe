export { MsgpackSerializer, msgpack } from './msgpack-serializer.js'
export type { MsgpackSerializerOptions } from './msgpack-serializer.js'
export { MAP_EXTENSION_TYPE } from './map-extension.js'
