// Placeholder preload: exposes an empty API to the renderer.
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('seqlab', {});
