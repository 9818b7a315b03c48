/** Entry of the pages the local server renders (and of any server-rendered page). */
import { enhance } from "./enhance.js";

enhance();
