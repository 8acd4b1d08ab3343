Console.WriteLine("VmapExhaustion: the experiment lands with the runtime core.");
return 0;
